//! The provider's HTTPS API (SPEC.md 7.1): authenticate, then one search a
//! GSTIN. This file only speaks the protocol and says what each response
//! means; retries, waits and stops are decided by the caller.
//!
//! Secrets: the key and secret go only into the headers of requests to the
//! configured host, the access token lives only in memory, and neither is
//! ever part of a message (`Credentials` and `Client` print as redacted).

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// The provider's production host.
pub const PRODUCTION: &str = "https://api.sandbox.co.in";

/// The API key and secret.
#[derive(Clone)]
pub struct Credentials {
    key: String,
    secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(redacted)")
    }
}

impl Credentials {
    /// From `--credentials FILE` (lines `key=...` and `secret=...`), which
    /// must not be readable by group or others; else from
    /// `GSTBATCH_API_KEY` and `GSTBATCH_API_SECRET`.
    ///
    /// # Errors
    /// [`Error::Usage`] naming what is missing or unsafe (never a secret).
    pub fn load(file: Option<&Path>) -> Result<Credentials> {
        let Some(path) = file else {
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
            return match (env("GSTBATCH_API_KEY"), env("GSTBATCH_API_SECRET")) {
                (Some(key), Some(secret)) => Ok(Credentials { key, secret }),
                _ => Err(Error::Usage(
                    "no API credentials: set GSTBATCH_API_KEY and GSTBATCH_API_SECRET, or give \
                     --credentials FILE (lines key=... and secret=...)"
                        .into(),
                )),
            };
        };
        let err = |why: &str| Error::Usage(format!("--credentials {}: {why}", path.display()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| err(&format!("cannot read it: {e}")))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(err(&format!(
                    "it is readable by group or others (mode {:o}); run chmod 600 on it",
                    mode & 0o777
                )));
            }
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| err(&format!("cannot read it: {e}")))?;
        let value = |name: &str| {
            text.lines()
                .filter_map(|l| l.split_once('='))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        match (value("key"), value("secret")) {
            (Some(key), Some(secret)) => Ok(Credentials { key, secret }),
            _ => Err(err("it needs two lines, key=... and secret=...")),
        }
    }
}

/// Where the API is: `https://`, or `http://` to a loopback address only
/// (an emulator in tests).
///
/// # Errors
/// [`Error::Usage`] for any other URL.
pub fn check_base(base: &str) -> Result<String> {
    let base = base.trim().trim_end_matches('/');
    if let Some(rest) = base.strip_prefix("https://")
        && !rest.is_empty()
    {
        return Ok(base.to_string());
    }
    if let Some(rest) = base.strip_prefix("http://") {
        let host = rest.split('/').next().unwrap_or_default();
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.rsplit_once(':').map_or(host, |(h, _)| h),
        };
        let loopback = host == "localhost"
            || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(base.to_string());
        }
    }
    Err(Error::Usage(format!(
        "--api-base {base}: the API must be reached over https:// (plain http:// only to a \
         loopback address, for tests)"
    )))
}

/// What one request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A 200 with a body (still to be read as the contract's JSON).
    Body(String),
    /// Worth another try: a connection failure, a timeout, 429, 5xx.
    Transient {
        /// Why, for the report.
        why: String,
        /// `Retry-After`, when the provider gave one.
        retry_after: Option<Duration>,
        /// A 429: the provider wants fewer requests at once.
        throttled: bool,
    },
    /// The token was refused (401, or a 403 about the token).
    TokenRefused,
    /// The provider refused this value (422): an answer of sorts, not
    /// charged, not retried.
    Refused(String),
    /// Stop every call (403 access denied, insufficient credits or
    /// privilege; credentials refused).
    Stop(String),
}

/// One question to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Search a GSTIN (canonical).
    Gstin(String),
    /// Verify a PAN with the name and date of birth (`DD/MM/YYYY`) to match.
    Pan {
        /// The PAN.
        pan: String,
        /// The name as the books have it.
        name: String,
        /// The date of birth or incorporation, `DD/MM/YYYY`.
        dob: String,
    },
}

impl Question {
    /// `gstin` or `pan`.
    pub fn kind(&self) -> &'static str {
        match self {
            Question::Gstin(_) => "gstin",
            Question::Pan { .. } => "pan",
        }
    }

    /// What the store keeps the answer under: the GSTIN, or the PAN with
    /// the name and date of birth sent (another name is another question).
    pub fn key(&self) -> String {
        match self {
            Question::Gstin(g) => g.clone(),
            Question::Pan { pan, name, dob } => format!("{pan}|{name}|{dob}"),
        }
    }
}

/// A client for one run.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    credentials: Credentials,
    /// The purpose sent with PAN verifications.
    reason: String,
    /// The access token and how many times it was obtained.
    token: Mutex<(Option<String>, u64)>,
}

impl Client {
    /// A client for `base` (checked by [`check_base`]) with a per-request
    /// `timeout`; `reason` is the purpose sent with PAN verifications.
    pub fn new(
        base: String,
        credentials: Credentials,
        timeout: Duration,
        reason: String,
    ) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .user_agent(concat!("gstbatch/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, base, credentials, reason, token: Mutex::new((None, 0)) }
    }

    /// The current token and its generation, authenticating first if there
    /// is none.
    fn token(&self) -> std::result::Result<(String, u64), Reply> {
        let mut t = self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Some(tok), generation) = &*t {
            return Ok((tok.clone(), *generation));
        }
        let tok = self.authenticate()?;
        t.0 = Some(tok.clone());
        t.1 += 1;
        Ok((tok, t.1))
    }

    /// Forgets the token of `generation` (refused), so that the next call
    /// authenticates again; a newer one got by another thread is kept.
    pub fn drop_token(&self, generation: u64) {
        let mut t = self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if t.1 == generation {
            t.0 = None;
        }
    }

    fn authenticate(&self) -> std::result::Result<String, Reply> {
        let resp = self
            .agent
            .post(&format!("{}/authenticate", self.base))
            .header("x-api-key", &self.credentials.key)
            .header("x-api-secret", &self.credentials.secret)
            .header("x-api-version", "1.0")
            .send_empty();
        let (status, body, _) = read(resp)?;
        match status {
            200 => serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.pointer("/data/access_token")?.as_str().map(String::from))
                .ok_or_else(|| Reply::Transient {
                    why: "authenticate: the answer held no access token".into(),
                    retry_after: None,
                    throttled: false,
                }),
            401 | 403 => Err(Reply::Stop(format!(
                "the provider refused the API key and secret ({status}: {})",
                message(&body)
            ))),
            _ => Err(classify(status, &body, None)),
        }
    }

    /// Asks one question. Returns the reply and the token generation used.
    pub fn ask(&self, question: &Question) -> (Reply, u64) {
        let (token, generation) = match self.token() {
            Ok(t) => t,
            Err(reply) => return (reply, 0),
        };
        let (path, body) = match question {
            Question::Gstin(gstin) => {
                ("gst/compliance/public/gstin/search", serde_json::json!({ "gstin": gstin }))
            }
            Question::Pan { pan, name, dob } => (
                "kyc/pan/verify",
                serde_json::json!({
                    "@entity": "in.co.sandbox.kyc.pan_verification.request",
                    "pan": pan,
                    "name_as_per_pan": name,
                    "date_of_birth": dob,
                    "consent": "Y",
                    "reason": self.reason,
                }),
            ),
        };
        let resp = self
            .agent
            .post(&format!("{}/{path}", self.base))
            .header("x-api-key", &self.credentials.key)
            .header("x-api-version", "1.0")
            // The token itself: the provider does not take `Bearer <token>`.
            .header("authorization", &token)
            .send_json(body);
        let reply = match read(resp) {
            Err(t) => t,
            Ok((200, body, _)) => Reply::Body(body),
            Ok((401, _, _)) => Reply::TokenRefused,
            Ok((403, body, _)) if message(&body).to_ascii_lowercase().contains("token") => {
                Reply::TokenRefused
            }
            Ok((403, body, _)) => Reply::Stop(format!("the provider said: {}", message(&body))),
            Ok((422, body, _)) => Reply::Refused(message(&body)),
            Ok((status, body, retry)) => classify(status, &body, retry),
        };
        (reply, generation)
    }
}

/// A response's status, body and `Retry-After`, or a transient failure.
fn read(
    resp: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> std::result::Result<(u16, String, Option<Duration>), Reply> {
    let transient = |why: String| Reply::Transient { why, retry_after: None, throttled: false };
    let mut resp = resp.map_err(|e| transient(format!("no answer: {e}")))?;
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| transient(format!("the answer broke off: {e}")))?;
    Ok((status, body, retry))
}

/// Any other status: 429 and 5xx are transient, anything else stops.
fn classify(status: u16, body: &str, retry_after: Option<Duration>) -> Reply {
    match status {
        429 => Reply::Transient { why: "429 rate limited".into(), retry_after, throttled: true },
        500..=599 => Reply::Transient {
            why: format!("{status} {}", message(body)),
            retry_after,
            throttled: false,
        },
        _ => Reply::Stop(format!("unexpected answer {status}: {}", message(body))),
    }
}

/// The `message` of an error body, or the start of the body.
fn message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(String::from))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://api.sandbox.co.in",
            "https://test-api.sandbox.co.in/",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:99",
            "http://[::1]:80",
        ] {
            assert!(check_base(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.sandbox.co.in",
            "http://10.0.0.1",
            "ftp://x",
            "https://",
            "api.sandbox.co.in",
        ] {
            assert!(check_base(bad).is_err(), "{bad}");
        }
        assert_eq!(check_base("https://x/").unwrap(), "https://x");
    }

    #[test]
    fn credentials_never_print() {
        let c = Credentials { key: "key_live_abc".into(), secret: "secret_xyz".into() };
        assert_eq!(format!("{c:?}"), "Credentials(redacted)");
    }

    #[cfg(unix)]
    #[test]
    fn a_credentials_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("creds");
        std::fs::write(&p, "key = k1\nsecret=s1\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Credentials::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("readable by group or others") && !e.contains("s1"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = Credentials::load(Some(&p)).unwrap();
        assert_eq!((c.key.as_str(), c.secret.as_str()), ("k1", "s1"));
    }
}
