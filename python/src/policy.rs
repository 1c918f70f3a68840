//! The client configuration, and the aerospike client's `meta` and `policy`
//! dicts mapped onto `WritePolicy` / `ReadPolicy`.
//!
//! Known keys with values outside their constants raise `ParamError`;
//! keys that have no meaning for an embedded database (`max_retries`,
//! `socket_timeout`, `replica`, ...) are accepted and ignored.

use crate::convert::type_name;
use crate::errors::param_error;
use engine::{
    Durability, Expiration, GenerationPolicy, ReadPolicy, RecordExistsAction, WritePolicy,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};
use std::path::PathBuf;
use std::time::Duration;

pub(crate) const POLICY_KEY_DIGEST: i64 = 0;
pub(crate) const POLICY_KEY_SEND: i64 = 1;
pub(crate) const POLICY_EXISTS_IGNORE: i64 = 0;
pub(crate) const POLICY_EXISTS_CREATE: i64 = 1;
pub(crate) const POLICY_EXISTS_UPDATE: i64 = 2;
pub(crate) const POLICY_EXISTS_REPLACE: i64 = 3;
pub(crate) const POLICY_EXISTS_CREATE_OR_REPLACE: i64 = 4;
pub(crate) const POLICY_GEN_IGNORE: i64 = 0;
pub(crate) const POLICY_GEN_EQ: i64 = 1;
pub(crate) const POLICY_GEN_GT: i64 = 2;
pub(crate) const POLICY_COMMIT_LEVEL_ALL: i64 = 0;
pub(crate) const POLICY_COMMIT_LEVEL_MASTER: i64 = 1;
pub(crate) const POLICY_RETRY_NONE: i64 = 0;
pub(crate) const POLICY_RETRY_ONCE: i64 = 1;
pub(crate) const TTL_NAMESPACE_DEFAULT: i64 = 0;
pub(crate) const TTL_NEVER_EXPIRE: i64 = -1;
pub(crate) const TTL_DONT_UPDATE: i64 = -2;
pub(crate) const TTL_CLIENT_DEFAULT: i64 = -3;

/// A dict argument, or None.
pub(crate) fn opt_dict<'a, 'py>(
    ob: Option<&'a Bound<'py, PyAny>>,
    what: &str,
) -> PyResult<Option<&'a Bound<'py, PyDict>>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => o.downcast::<PyDict>().map(Some).map_err(|_| {
            param_error(format!(
                "{what}: expected a dict or None, got {}",
                type_name(o)
            ))
        }),
    }
}

/// An int argument (not bool).
pub(crate) fn int_arg(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if ob.is_instance_of::<PyBool>() || !ob.is_instance_of::<PyInt>() {
        return Err(param_error(format!(
            "{what}: expected an int, got {}",
            type_name(ob)
        )));
    }
    ob.extract::<i64>()
        .map_err(|_| param_error(format!("{what}: int out of the 64-bit range")))
}

fn get<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    Ok(d.get_item(key)?.filter(|v| !v.is_none()))
}

/// An expiration from a TTL in the aerospike client's convention.
pub(crate) fn ttl_expiration(ttl: i64, what: &str) -> PyResult<Option<Expiration>> {
    Ok(Some(match ttl {
        TTL_NAMESPACE_DEFAULT => Expiration::NamespaceDefault,
        TTL_NEVER_EXPIRE => Expiration::Never,
        TTL_DONT_UPDATE => Expiration::DontUpdate,
        TTL_CLIENT_DEFAULT => return Ok(None),
        t if t > 0 && t <= i64::from(u32::MAX) => Expiration::Seconds(t as u32),
        t => {
            return Err(param_error(format!(
                "{what}: invalid ttl {t} (seconds > 0, or TTL_NAMESPACE_DEFAULT 0, TTL_NEVER_EXPIRE -1, TTL_DONT_UPDATE -2, TTL_CLIENT_DEFAULT -3)"
            )))
        }
    }))
}

fn timeout(d: &Bound<'_, PyDict>, what: &str) -> PyResult<Option<Option<Duration>>> {
    for name in ["total_timeout", "timeout"] {
        if let Some(v) = get(d, name)? {
            let ms = int_arg(&v, &format!("{what} '{name}'"))?;
            if ms < 0 {
                return Err(param_error(format!(
                    "{what} '{name}': must be >= 0 milliseconds, got {ms}"
                )));
            }
            return Ok(Some(if ms == 0 {
                None
            } else {
                Some(Duration::from_millis(ms as u64))
            }));
        }
    }
    Ok(None)
}

/// Applies a write `policy` dict onto `wp`.
pub(crate) fn apply_write_policy(
    wp: &mut WritePolicy,
    policy: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<()> {
    let Some(d) = opt_dict(policy, what)? else {
        return Ok(());
    };
    if let Some(v) = get(d, "key")? {
        wp.send_key = match int_arg(&v, &format!("{what} 'key'"))? {
            POLICY_KEY_DIGEST => false,
            POLICY_KEY_SEND => true,
            x => {
                return Err(param_error(format!(
                    "{what} 'key': unknown value {x} (POLICY_KEY_DIGEST 0, POLICY_KEY_SEND 1)"
                )))
            }
        };
    }
    if let Some(v) = get(d, "exists")? {
        wp.record_exists_action = match int_arg(&v, &format!("{what} 'exists'"))? {
            POLICY_EXISTS_IGNORE => RecordExistsAction::Update,
            POLICY_EXISTS_CREATE => RecordExistsAction::CreateOnly,
            POLICY_EXISTS_UPDATE => RecordExistsAction::UpdateOnly,
            POLICY_EXISTS_REPLACE => RecordExistsAction::ReplaceOnly,
            POLICY_EXISTS_CREATE_OR_REPLACE => RecordExistsAction::Replace,
            x => {
                return Err(param_error(format!(
                    "{what} 'exists': unknown value {x} (POLICY_EXISTS_* are 0 to 4)"
                )))
            }
        };
    }
    if let Some(v) = get(d, "gen")? {
        wp.generation_policy = match int_arg(&v, &format!("{what} 'gen'"))? {
            POLICY_GEN_IGNORE => GenerationPolicy::None,
            POLICY_GEN_EQ => GenerationPolicy::ExpectGenEqual,
            POLICY_GEN_GT => GenerationPolicy::ExpectGenGreater,
            x => return Err(param_error(format!("{what} 'gen': unknown value {x} (POLICY_GEN_IGNORE 0, POLICY_GEN_EQ 1, POLICY_GEN_GT 2)"))),
        };
    }
    if let Some(v) = get(d, "commit_level")? {
        wp.durability = Some(match int_arg(&v, &format!("{what} 'commit_level'"))? {
            POLICY_COMMIT_LEVEL_ALL => Durability::Sync,
            POLICY_COMMIT_LEVEL_MASTER => Durability::Buffered,
            x => return Err(param_error(format!("{what} 'commit_level': unknown value {x} (POLICY_COMMIT_LEVEL_ALL 0, POLICY_COMMIT_LEVEL_MASTER 1)"))),
        });
    }
    if let Some(v) = get(d, "retry")? {
        match int_arg(&v, &format!("{what} 'retry'"))? {
            POLICY_RETRY_NONE | POLICY_RETRY_ONCE => {}
            x => {
                return Err(param_error(format!(
                    "{what} 'retry': unknown value {x} (POLICY_RETRY_NONE 0, POLICY_RETRY_ONCE 1)"
                )))
            }
        }
    }
    if let Some(v) = get(d, "ttl")? {
        if let Some(e) = ttl_expiration(
            int_arg(&v, &format!("{what} 'ttl'"))?,
            &format!("{what} 'ttl'"),
        )? {
            wp.expiration = e;
        }
    }
    if let Some(t) = timeout(d, what)? {
        wp.timeout = t;
    }
    Ok(())
}

/// Applies a `meta` dict (`'ttl'`, `'gen'`) onto `wp`.
pub(crate) fn apply_meta(wp: &mut WritePolicy, meta: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let Some(d) = opt_dict(meta, "meta")? else {
        return Ok(());
    };
    if let Some(v) = get(d, "ttl")? {
        if let Some(e) = ttl_expiration(int_arg(&v, "meta 'ttl'")?, "meta 'ttl'")? {
            wp.expiration = e;
        }
    }
    if let Some(v) = get(d, "gen")? {
        let g = int_arg(&v, "meta 'gen'")?;
        wp.generation = u32::try_from(g)
            .map_err(|_| param_error(format!("meta 'gen': {g} is outside 0..=4294967295")))?;
    }
    Ok(())
}

/// Applies a read `policy` dict onto `rp`.
pub(crate) fn apply_read_policy(
    rp: &mut ReadPolicy,
    policy: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<()> {
    let Some(d) = opt_dict(policy, what)? else {
        return Ok(());
    };
    if let Some(t) = timeout(d, what)? {
        rp.timeout = t;
    }
    Ok(())
}

/// What `aerolite.client(config)` was given.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) path: PathBuf,
    pub(crate) durability: Option<Durability>,
    pub(crate) write: WritePolicy,
    pub(crate) read: ReadPolicy,
}

/// Parses a client configuration dict.
pub(crate) fn parse_config(config: &Bound<'_, PyAny>) -> PyResult<Config> {
    let d = config.downcast::<PyDict>().map_err(|_| {
        param_error(format!(
            "config: expected a dict with a 'path', got {}",
            type_name(config)
        ))
    })?;
    let path = match get(d, "path")? {
        Some(p) => {
            if p.is_instance_of::<PyString>() {
                PathBuf::from(p.extract::<String>()?)
            } else {
                let fs = p.py().import("os")?.call_method1("fspath", (&p,)).map_err(|_| {
                    param_error(format!("config 'path': expected a str or path-like, got {}", type_name(&p)))
                })?;
                PathBuf::from(fs.extract::<String>().map_err(|_| param_error("config 'path': expected a str path"))?)
            }
        }
        None if d.contains("hosts")? => {
            return Err(param_error(
                "config: aerolite is an embedded database and needs a directory: add 'path': '/some/dir' \
                 ('hosts' is accepted and ignored next to 'path')",
            ))
        }
        None => return Err(param_error("config: 'path' (the database directory) is required")),
    };
    let durability = match get(d, "durability")? {
        None => None,
        Some(v) => match v.extract::<String>().ok().as_deref() {
            Some("buffered") => Some(Durability::Buffered),
            Some("sync") => Some(Durability::Sync),
            _ => {
                return Err(param_error(format!(
                    "config 'durability': expected 'buffered' or 'sync', got {}",
                    v.repr().map(|r| r.to_string()).unwrap_or_default()
                )))
            }
        },
    };
    let mut write = WritePolicy::default();
    let mut read = ReadPolicy::default();
    if let Some(p) = get(d, "policies")? {
        let pd = opt_dict(Some(&p), "config 'policies'")?;
        if let Some(pd) = pd {
            if let Some(w) = get(pd, "write")? {
                apply_write_policy(&mut write, Some(&w), "config policies 'write'")?;
            }
            if let Some(r) = get(pd, "read")? {
                apply_read_policy(&mut read, Some(&r), "config policies 'read'")?;
            }
            // Top-level 'key' / 'exists' / 'gen' / 'commit_level' as older clients allowed.
            apply_write_policy(&mut write, Some(pd.as_any()), "config 'policies'")?;
        }
    }
    Ok(Config {
        path,
        durability,
        write,
        read,
    })
}
