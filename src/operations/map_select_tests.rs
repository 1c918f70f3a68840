//! Unit tests of `map_select`.

use super::*;
use crate::operations::exec::run_one as run;
use crate::{as_list, as_map};

fn scores() -> BTreeMap<String, Value> {
    BTreeMap::from([(
        "m".to_owned(),
        as_map!("a" => 3, "b" => 1, "c" => 2, "d" => 1),
    )])
}

#[test]
fn by_index_and_rank_shapes() {
    let mut bins = scores();
    let cases = [
        (get_by_index("m", 0, MapReturnType::Key), Value::from("a")),
        (get_by_index("m", -1, MapReturnType::Value), Value::Int(1)),
        (
            get_by_index("m", 1, MapReturnType::KeyValue),
            as_map!("b" => 1),
        ),
        (get_by_index("m", 0, MapReturnType::Rank), Value::Int(3)),
        (
            get_by_index("m", 0, MapReturnType::ReverseIndex),
            Value::Int(3),
        ),
        (get_by_rank("m", 0, MapReturnType::Key), Value::from("b")),
        (get_by_rank("m", 1, MapReturnType::Key), Value::from("d")),
        (get_by_rank("m", -1, MapReturnType::Index), Value::Int(0)),
        (
            get_by_rank("m", -1, MapReturnType::ReverseRank),
            Value::Int(0),
        ),
        (
            get_by_rank_range("m", 1, 2, MapReturnType::Key),
            as_list!("d", "c"),
        ),
        (
            get_by_index_range_from("m", -2, MapReturnType::KeyValue),
            as_map!("c" => 2, "d" => 1),
        ),
        (
            get_by_index_range_from("m", 9, MapReturnType::Key),
            as_list!(),
        ),
        (get_by_value("m", 1, MapReturnType::Key), as_list!("b", "d")),
        (
            get_by_value("m", 7, MapReturnType::Exists),
            Value::Bool(false),
        ),
        (
            get_by_key_list(
                "m",
                vec![Value::from("c"), Value::from("z"), Value::from("a")],
                MapReturnType::Value,
            ),
            as_list!(3, 2),
        ),
    ];
    for (op, want) in cases {
        assert_eq!(run(op.clone(), &mut bins).unwrap(), Some(want), "{op:?}");
    }
    for op in [
        get_by_index("m", 4, MapReturnType::Key),
        get_by_rank("m", -5, MapReturnType::Key),
        remove_by_index("m", 4, MapReturnType::Key),
    ] {
        let e = run(op, &mut bins).unwrap_err();
        assert!(matches!(e, Error::OpNotApplicable(_)), "{e:?}");
    }
    assert_eq!(bins, scores());
}

#[test]
fn removals() {
    let mut bins = scores();
    let r = run(remove_by_value("m", 1, MapReturnType::Count), &mut bins);
    assert_eq!(r.unwrap(), Some(Value::Int(2)));
    assert_eq!(bins["m"], as_map!("a" => 3, "c" => 2));
    let r = run(remove_by_rank("m", 0, MapReturnType::KeyValue), &mut bins);
    assert_eq!(r.unwrap(), Some(as_map!("c" => 2)));
    let mut bins = scores();
    let r = run(
        remove_by_key_list(
            "m",
            vec![Value::from("a"), Value::from("q")],
            MapReturnType::None,
        ),
        &mut bins,
    );
    assert_eq!(r.unwrap(), None);
    let r = run(
        remove_by_rank_range_from("m", -2, MapReturnType::Value),
        &mut bins,
    );
    assert_eq!(r.unwrap(), Some(as_list!(1, 2)));
    assert_eq!(bins["m"], as_map!("b" => 1));
    let r = run(
        remove_by_index_range_from("m", 0, MapReturnType::Key),
        &mut bins,
    );
    assert_eq!(r.unwrap(), Some(as_list!("b")));
    let r = run(remove_by_index("m", 0, MapReturnType::Key), &mut bins);
    assert!(matches!(r, Err(Error::OpNotApplicable(_))), "{r:?}");
    assert_eq!(bins["m"], as_map!());
}

#[test]
fn put_items_with_modes() {
    let mut bins = BTreeMap::new();
    let items = |pairs: &[(&str, i64)]| -> Vec<(Value, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (Value::from(*k), Value::Int(*v)))
            .collect()
    };
    let r = run(
        put_items_with("m", items(&[("a", 1)]), MapWriteMode::UpdateOnly),
        &mut bins,
    );
    assert!(matches!(r, Err(Error::ElementNotFound(_))), "{r:?}");
    let r = run(
        put_items_with("m", items(&[("a", 1), ("b", 2)]), MapWriteMode::CreateOnly),
        &mut bins,
    );
    assert_eq!(r.unwrap(), Some(Value::Int(2)));
    let r = run(
        put_items_with("m", items(&[("c", 3), ("a", 9)]), MapWriteMode::CreateOnly),
        &mut bins,
    );
    assert!(matches!(r, Err(Error::ElementExists(_))), "{r:?}");
    assert_eq!(bins["m"], as_map!("a" => 1, "b" => 2));
    let r = run(
        put_items_with("m", items(&[("b", 5), ("c", 3)]), MapWriteMode::UpdateOnly),
        &mut bins,
    );
    assert!(matches!(r, Err(Error::ElementNotFound(_))), "{r:?}");
    let r = run(
        put_items_with("m", items(&[("b", 5)]), MapWriteMode::UpdateOnly),
        &mut bins,
    );
    assert_eq!(r.unwrap(), Some(Value::Int(2)));
    let r = run(
        put_items_with("m", items(&[("z", 0)]), MapWriteMode::Update),
        &mut bins,
    );
    assert_eq!(r.unwrap(), Some(Value::Int(3)));
    let r = run(
        put_items_with(
            "m",
            vec![(Value::Float(1.0), Value::Nil)],
            MapWriteMode::Update,
        ),
        &mut bins,
    );
    assert!(matches!(r, Err(Error::ParameterError(_))), "{r:?}");
    let r = run(
        get_by_key_list("m", vec![as_list!()], MapReturnType::Key),
        &mut bins,
    );
    assert!(matches!(r, Err(Error::ParameterError(_))), "{r:?}");
}

#[test]
fn missing_bin() {
    let mut bins = BTreeMap::new();
    let r = run(get_by_index("m", 0, MapReturnType::Key), &mut bins);
    assert_eq!(r.unwrap(), Some(Value::Nil));
    let r = run(remove_by_value("m", 0, MapReturnType::None), &mut bins);
    assert_eq!(r.unwrap(), None);
    assert!(bins.is_empty());
}
