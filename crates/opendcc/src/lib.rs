//! The demo DCC's world (users, premises, devices, keys and certificates, the SMKI repository,
//! the manifest clients read), as a library so that the deterministic test harness builds the
//! same world the `opendcc demo` binary serves.

pub mod backend;
pub mod config;
pub mod dbch;
pub mod inventory;
pub mod manifest;
pub mod migrate;
pub mod products;
pub mod recovery;
pub mod registrations;
pub mod smki_repo;
pub mod world;
pub mod world_gen;

/// Prints to standard output; a closed pipe (`| head`) ends the output quietly instead of
/// panicking.
pub fn out(text: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    match writeln!(o, "{text}").and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing to standard output: {e}")),
    }
}
