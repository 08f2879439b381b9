//! Future dating in the harness: when the emulated devices' held instructions fall due (so
//! that [`Harness::advance`] and [`Harness::run_until_idle`] stop there), and queuing a command
//! that no DUIS request of the catalogue produces yet (a device-future-dated GCS32: 7.2 cannot
//! be future dated through DUIS) the way the gateway queues one.

use dcc::gateway::unix_ms;
use dcc::store::{JobKind, Store as _, WanJob};
use gbcs::GeneralSigning;

use crate::{DEVICE_TIMEOUT, Harness, eui};

impl Harness {
    /// When the earliest instruction an emulated device holds falls due (unix ms).
    pub(crate) fn next_device_action(&self) -> Option<i64> {
        self.store
            .transaction_in(|tx| wan::future::next_device_action_ms(tx))
            .expect("reading device states")
    }

    /// Queues `command` for `target` as the gateway queues a user's request (`user`'s
    /// RequestID counter `counter`, service `srv`): signed by `user` if it is a pre-command,
    /// MAC'd by the ACB for the device, due now. Returns the WAN job's id.
    pub fn queue_command(
        &mut self,
        user: &str,
        target: &str,
        srv: duis::Srv,
        counter: u64,
        command: GeneralSigning,
    ) -> i64 {
        let command = if command.is_precommand() {
            GeneralSigning::decode(&self.sign_precommand(user, &command.encode()))
                .expect("a signed command")
        } else {
            command
        };
        let target = eui(target);
        let ka = gbcs::crypto::PublicKey::from_certificate_der(
            &self.device_cert(&target.to_string(), "ka"),
        )
        .expect("the device's KA certificate");
        let crypto = self.world.dcc_crypto().expect("the DCC's GBCS keys");
        let wan_command = dcc::catalogue::protect(command, &crypto, &ka).expect("the ACB MAC");
        let originator = self.user_eui(user);
        let now = unix_ms(self.now());
        let deadline = now + i64::try_from(DEVICE_TIMEOUT.as_millis()).unwrap_or(i64::MAX);
        let id = self
            .store
            .transaction(|tx| {
                let chf = tx.device(target)?.and_then(|d| d.chf).unwrap_or(target);
                Ok(tx.enqueue_wan(&WanJob {
                    id: 0,
                    originator,
                    counter,
                    target,
                    chf,
                    kind: JobKind::Service(srv),
                    command: wan_command,
                    attempts: 0,
                    due_at: now,
                    deadline_at: deadline,
                })?)
            })
            .expect("queuing a command");
        self.settle();
        id
    }
}
