//! Tests of the worker's wire format and command line.

use super::*;

#[test]
fn replies_carry_faces_and_subjects_exactly() {
    let mut embedding = [0f32; 128];
    for (i, v) in embedding.iter_mut().enumerate() {
        *v = (i as f32 * 0.123_456_7).sin() / 3.0;
    }
    let face = Face {
        x: 0.1,
        y: 0.2,
        w: 0.301,
        h: 0.4,
        embedding,
    };
    let analysis = Analysis {
        faces: Some(vec![face.clone()]),
        subjects: Some(vec![("dog".into(), 0.93)]),
    };
    let line = serde_json::to_string(&Reply::from_analysis(analysis)).expect("test step");
    assert!(!line.contains('\n'));
    let back = serde_json::from_str::<Reply>(&line)
        .expect("test step")
        .into_analysis()
        .expect("test step");
    assert_eq!(back.faces, Some(vec![face]));
    assert_eq!(back.subjects, Some(vec![("dog".into(), 0.93)]));
    // Off kinds stay off.
    let none = serde_json::from_str::<Reply>("{}")
        .expect("test step")
        .into_analysis()
        .expect("test step");
    assert!(none.faces.is_none() && none.subjects.is_none());
}

#[test]
fn bad_replies_are_errors() {
    let err = serde_json::from_str::<Reply>(r#"{"error":"reading the thumbnail: gone"}"#)
        .expect("test step")
        .into_analysis()
        .expect_err("must fail");
    assert_eq!(err, "reading the thumbnail: gone");
    let short = serde_json::from_str::<Reply>(r#"{"faces":[{"b":[0,0,1,1],"e":[1,2]}]}"#)
        .expect("test step")
        .into_analysis()
        .expect_err("must fail");
    assert!(short.contains("2 values"), "{short}");
}

fn opts() -> RecognitionOptions {
    RecognitionOptions {
        faces: true,
        subjects: false,
        thorough: false,
        models_dir: PathBuf::from("/nowhere"),
        idle: super::super::IDLE,
        worker: None,
    }
}

/// A stand-in worker: a shell script speaking the protocol, to test the server's side
/// (answers, a crash on a picture, a hang, idle stop) without the models.
fn script(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("worker.sh");
    std::fs::write(&path, format!("#!/bin/sh\nulimit -c 0\n{body}\n")).expect("test step");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("test step");
    }
    path
}

#[test]
fn the_pool_talks_to_its_worker_and_survives_its_crash() {
    let dir = tempfile::tempdir().expect("test step");
    // Answers every picture with one subject; exits (as a crash would) on "crash.jpg".
    let program = script(
        dir.path(),
        r#"test "$1" = recognition-worker || exit 9
while read -r line; do
  case "$line" in
    *crash.jpg*) kill -SEGV $$ ;;
  esac
  echo '{"subjects":[["cat",0.8]]}'
done"#,
    );
    let pool = Pool::new(program, &opts());
    let a = pool
        .analyse(Path::new("/x/a.jpg"), false, true)
        .expect("test step");
    assert_eq!(a.subjects, Some(vec![("cat".into(), 0.8)]));
    let first = pool.pid().expect("a worker runs");
    pool.analyse(Path::new("/x/b.jpg"), false, true)
        .expect("test step");
    assert_eq!(pool.pid(), Some(first), "one worker serves many pictures");

    let err = pool
        .analyse(Path::new("/x/crash.jpg"), false, true)
        .expect_err("must fail");
    assert!(err.contains("stopped on this picture"), "{err}");
    assert!(err.contains("SIGSEGV") || err.contains("signal"), "{err}");
    assert_eq!(pool.pid(), None, "the crashed worker is reaped");
    // The next picture gets a new worker.
    pool.analyse(Path::new("/x/c.jpg"), false, true)
        .expect("test step");
    let second = pool.pid().expect("a new worker");
    assert_ne!(second, first);

    // Idle: not yet, then stopped.
    assert!(!pool.stop_idle(Duration::from_secs(60)));
    assert!(pool.stop_idle(Duration::ZERO));
    assert_eq!(pool.pid(), None);
    assert!(
        !Path::new(&format!("/proc/{second}/status")).exists()
            || std::fs::read_to_string(format!("/proc/{second}/status"))
                .is_ok_and(|s| !s.contains("State:\tZ")),
        "the stopped worker is gone, not a zombie"
    );
}

#[test]
fn a_worker_killed_between_pictures_is_replaced() {
    let dir = tempfile::tempdir().expect("test step");
    let program = script(
        dir.path(),
        r#"while read -r line; do echo '{"faces":[]}'; done"#,
    );
    let pool = Pool::new(program, &opts());
    pool.analyse(Path::new("/x/a.jpg"), true, false)
        .expect("test step");
    let pid = pool.pid().expect("test step");
    std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .expect("test step");
    std::thread::sleep(Duration::from_millis(200));
    let a = pool
        .analyse(Path::new("/x/b.jpg"), true, false)
        .expect("test step");
    assert_eq!(a.faces, Some(vec![]));
    assert_ne!(pool.pid(), Some(pid));
}

#[test]
fn a_missing_program_is_a_clear_error() {
    let pool = Pool::new(PathBuf::from("/nowhere/shoebox"), &opts());
    let err = pool
        .analyse(Path::new("/x/a.jpg"), true, false)
        .expect_err("must fail");
    assert!(err.contains("cannot start the recognition worker"), "{err}");
}

#[test]
fn arguments_name_what_is_on() {
    let args = arguments(&RecognitionOptions {
        thorough: true,
        ..opts()
    });
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        args,
        [
            "recognition-worker",
            "--models",
            "/nowhere",
            "--faces",
            "--thorough"
        ]
    );
}
