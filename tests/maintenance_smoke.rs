use aerolite::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[test]
fn overwrite_compact_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let opts = || {
        Options::default()
            .segment_size(64 * 1024)
            .clock(clock.clone())
            .sweep_interval(Duration::from_secs(3600))
    };
    let w = WritePolicy::default();
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        for round in 0..10 {
            for i in 0..1000 {
                db.put(
                    &w,
                    &as_key!("test", "s", i),
                    &[as_bin!("v", round), as_bin!("pad", vec![0u8; 50])],
                )
                .unwrap();
            }
        }
        for i in 0..100 {
            db.delete(&w, &as_key!("test", "s", i)).unwrap();
        }
        let ttl = WritePolicy {
            expiration: Expiration::Seconds(10),
            ..WritePolicy::default()
        };
        for i in 100..200 {
            db.put(&ttl, &as_key!("test", "s", i), &[as_bin!("v", -1)])
                .unwrap();
        }
        clock.advance(Duration::from_secs(11));
        assert_eq!(db.sweep_expired().unwrap(), 100);
        let before = db.namespace_stats("test").unwrap();
        let c = db.compact().unwrap();
        let after = db.namespace_stats("test").unwrap();
        println!("{before:?}\n{c:?}\n{after:?}");
        assert!(after.disk_used_bytes < before.disk_used_bytes);
        assert_eq!(after.objects, 800);
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), opts()).unwrap();
    for i in 0..1000 {
        let r = db.get(&ReadPolicy::default(), &as_key!("test", "s", i), Bins::All);
        if i < 200 {
            assert!(matches!(r, Err(Error::KeyNotFound)), "{i} came back");
        } else {
            assert_eq!(r.unwrap().bins["v"], Value::Int(9));
        }
    }
    let c = db.compact().unwrap();
    println!("{c:?} {:?}", db.namespace_stats("test").unwrap());
}
