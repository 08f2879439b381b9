//! Local delivery over real sockets and processes: a 4.1.1 read with command variant 2 is
//! answered with the protected command in `LocalCommand`; `opendcc client local-deliver` (the
//! installer's hand-held terminal) hands it to the running demo's emulated ESME and writes out
//! the 8.13 Return Local Command Response request; signed and sent, the DCC answers with the
//! DUIS response to the original read, once. The rules themselves are tested on the simulated
//! clock (`crates/harness/tests/local_delivery.rs`).

mod common;

use common::*;

#[test]
fn an_installer_delivers_a_returned_command_and_the_user_returns_the_response_once() {
    let demo = Demo::start_fast(&[]);
    let user = "supplier-a";
    let mut p = demo.prepare(
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        user,
        premises1::ESME,
        None,
    );
    p.xml = demo.sign(user, &set_text(&p.xml, "CommandVariant", "2"));
    let local = demo.submit(user, &p).duis();
    local.assert_code("I0", &p.rid);
    assert!(local.xml.contains("LocalCommand"), "{}", local.xml);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("local-command.xml");
    std::fs::write(&file, &local.xml).unwrap();
    let deliver = |rid: &str| {
        let mut args: Vec<String> = vec!["client".into(), "local-deliver".into()];
        args.extend(demo.dcc_args());
        args.extend([
            "--return-request-id".into(),
            rid.into(),
            file.display().to_string(),
        ]);
        run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
    };
    let rid = request_id(&demo.user_eui(user), DCC_EUI, demo.next_counter());
    let out = deliver(&rid);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let unsigned = String::from_utf8(out.stdout).unwrap();
    assert!(
        unsigned.contains("ReturnLocalCommandResponse"),
        "{unsigned}"
    );

    let returned = demo
        .send(user, endpoint_of(&unsigned), demo.sign(user, &unsigned))
        .duis();
    returned.assert_code("I0", &p.rid);
    assert!(returned.xml.contains("GBCSPayload"), "{}", returned.xml);

    // The device obeys the command once: a second hand-over is refused.
    let again = deliver(&request_id(
        &demo.user_eui(user),
        DCC_EUI,
        demo.next_counter(),
    ));
    assert!(!again.status.success());
    // The same response returned again (a new 8.13 request): refused.
    let rid2 = request_id(&demo.user_eui(user), DCC_EUI, demo.next_counter());
    let twice = set_text(&unsigned, "RequestID", &rid2);
    let r = demo
        .send(user, endpoint_of(&twice), demo.sign(user, &twice))
        .duis();
    r.assert_code("E081302", &rid2);
}
