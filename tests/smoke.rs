use aerolite::*;

#[test]
fn put_get_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let key = as_key!("test", "demo", "k1");
    {
        let db = Db::open_with(dir.path(), Options::default().segment_size(64 * 1024)).unwrap();
        db.put(
            &WritePolicy::default(),
            &key,
            &[as_bin!("a", 1), as_bin!("b", "x")],
        )
        .unwrap();
        db.put(
            &WritePolicy::default(),
            &key,
            &[as_bin!("a", 2), as_bin!("b")],
        )
        .unwrap();
        let r = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
        assert_eq!(r.generation, 2);
        assert_eq!(r.bins.len(), 1);
        assert_eq!(r.bins["a"], Value::Int(2));
        for i in 0..5000 {
            let k = as_key!("test", "demo", i);
            db.put(&WritePolicy::default(), &k, &[as_bin!("v", vec![7u8; 100])])
                .unwrap();
        }
        assert!(db
            .delete(&WritePolicy::default(), &as_key!("test", "demo", 7))
            .unwrap());
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), Options::default().segment_size(64 * 1024)).unwrap();
    let r = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(r.generation, 2);
    assert_eq!(r.bins["a"], Value::Int(2));
    assert!(!db
        .exists(&ReadPolicy::default(), &as_key!("test", "demo", 7))
        .unwrap());
    assert!(db
        .exists(&ReadPolicy::default(), &as_key!("test", "demo", 8))
        .unwrap());
    let s = db.namespace_stats("test").unwrap();
    assert_eq!(s.objects, 5000);
    assert_eq!(s.tombstones, 1);
    println!("{s:?}");
}
