//! Ctrl-C and SIGTERM stop every process of every running step and exit 130.

use crate::support::{Out, Ws, alive, gone, wait_for_file};
use std::time::{Duration, Instant};

fn interrupt_with(signal: i32) {
    let ws = Ws::new();
    // A step whose shell starts a subshell that starts `sleep 300`: three generations.
    ws.pipeline(
        "p",
        "steps:\n  - id: tree\n    shell: sh\n    run: |\n      sh -c 'sleep 300 & echo $! > grandchild.pid; wait' &\n      echo $! > child.pid\n      echo $$ > shell.pid\n      wait\n  - id: other\n    needs: []\n    run: sleep 300\n",
    );
    let child = ws.spawn(&["run", "p", "-j", "2"]);
    let mut pids: Vec<i32> = ["shell.pid", "child.pid", "grandchild.pid"]
        .iter()
        .map(|f| wait_for_file(&ws.path(f)).trim().parse().unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let engine = child.id() as i32;
    let sleeps = std::process::Command::new("pgrep")
        .args(["-P", &pids[0].to_string()])
        .output()
        .unwrap();
    pids.extend(
        String::from_utf8_lossy(&sleeps.stdout)
            .lines()
            .filter_map(|l| l.trim().parse::<i32>().ok()),
    );
    assert!(
        pids.iter().all(|&p| alive(p)),
        "the step's processes should be running"
    );
    let start = Instant::now();
    // SAFETY: plain syscall on the child we spawned.
    unsafe { libc::kill(engine, signal) };
    let out = Out::from(child.wait_with_output().unwrap());
    out.assert(130);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "stopping took {:?}",
        start.elapsed()
    );
    for pid in pids {
        assert!(gone(pid), "process {pid} of the step survived");
    }
    let name = if signal == libc::SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    };
    assert!(
        out.stdout
            .contains(&format!("! {name} received: stopping running steps\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("✗ p/tree interrupted after "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("✗ p/other interrupted after "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout_redacted().ends_with(&crate::support::summary(
            &[("interrupted", 2)],
            "p",
            "interrupted"
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn sigint_stops_the_whole_process_tree() {
    interrupt_with(libc::SIGINT);
}

#[test]
fn sigterm_stops_the_whole_process_tree() {
    interrupt_with(libc::SIGTERM);
}

/// SIGKILL leaves the engine no chance to clean up: its guard process kills the step's
/// process group instead, and the next run is not blocked by the killed run's cache lock.
#[test]
fn sigkill_of_the_engine_leaves_no_step_process_behind() {
    let ws = Ws::new();
    ws.file("input.txt", "x\n");
    ws.pipeline(
        "p",
        "steps:\n  - id: tree\n    shell: sh\n    inputs: [input.txt]\n    run: |\n      if [ -e quick ]; then echo quick; exit 0; fi\n      sh -c 'sleep 300 & echo $! > grandchild.pid; wait' &\n      echo $! > child.pid\n      echo $$ > shell.pid\n      wait\n",
    );
    let mut child = ws.spawn(&["run", "p"]);
    let pids: Vec<i32> = ["shell.pid", "child.pid", "grandchild.pid"]
        .iter()
        .map(|f| wait_for_file(&ws.path(f)).trim().parse().unwrap())
        .collect();
    assert!(pids.iter().all(|&p| alive(p)), "the step's processes run");
    // SAFETY: plain syscall on the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(1);
    while pids.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for pid in pids {
        assert!(
            gone(pid),
            "process {pid} of the step outlived the engine by a second"
        );
    }
    ws.file("quick", "");
    let again = ws.run_within(&["run", "p"], 30);
    again.assert(0);
    assert!(again.stdout.contains("✓ p/tree "), "{}", again.stdout);
}
