//! The provider's HTTPS API (SPEC.md 7.1): authenticate, then one search a
//! GSTIN. This file only speaks the protocol and says what each response
//! means; retries, waits and stops are decided by the caller.
//!
//! Secrets: the key and secret go only into the headers of requests to the
//! configured host, the access token lives only in memory, and neither is
//! ever part of a message (`Credentials` and `Client` print as redacted).

use std::borrow::Cow;
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
                (Some(key), Some(secret)) => Credentials::checked(
                    (&key, "GSTBATCH_API_KEY"),
                    (&secret, "GSTBATCH_API_SECRET"),
                ),
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
                .enumerate()
                .filter_map(|(i, l)| l.split_once('=').map(|(k, v)| (i, k, v)))
                .find(|(_, k, _)| k.trim() == name)
                .map(|(i, _, v)| (v.trim().to_string(), i + 1))
                .filter(|(v, _)| !v.is_empty())
        };
        match (value("key"), value("secret")) {
            (Some((key, kl)), Some((secret, sl))) => {
                let (kl, sl) = (
                    format!("{}, line {kl}", path.display()),
                    format!("{}, line {sl}", path.display()),
                );
                Credentials::checked((&key, &kl), (&secret, &sl))
            }
            _ => Err(err("it needs two lines, key=... and secret=...")),
        }
    }

    /// The key and secret with surrounding whitespace trimmed (a file saved
    /// on Windows ends its lines in `\r`; `$(cat key.txt)` keeps a `\n`),
    /// refused once, naming where each came from, when what is left cannot
    /// be sent as a header value.
    fn checked(
        (key, key_from): (&str, &str),
        (secret, secret_from): (&str, &str),
    ) -> Result<Credentials> {
        let header_safe = |v: &str| v.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        for (v, what, from) in [(key, "API key", key_from), (secret, "API secret", secret_from)] {
            if !header_safe(v.trim()) {
                return Err(Error::Usage(format!(
                    "the {what} from {from} holds a character that cannot be sent in an HTTP \
                     header (a control character or a non-ASCII letter); check what was copied"
                )));
            }
        }
        Ok(Credentials { key: key.trim().to_string(), secret: secret.trim().to_string() })
    }
}

/// Where the API is: `https://`, or `http://` to a loopback address only
/// (an emulator in tests). The URL is parsed once; the text returned is that
/// parse written out again, so the host checked here is the host the client
/// connects to. A user name or password in it is refused outright: text
/// before an `@` is where a host check is most easily walked around.
///
/// # Errors
/// [`Error::Usage`] for any other URL.
pub fn check_base(base: &str) -> Result<String> {
    let shown = crate::ident::hidden::visible(base.trim()).into_owned();
    let refuse = |why: &str| {
        Error::Usage(format!(
            "--api-base {shown}: {why} (the API must be reached over https://; plain http:// \
             only to a loopback address, for tests)"
        ))
    };
    let url = url::Url::parse(base.trim()).map_err(|e| refuse(&format!("not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("a user name or password in the URL is not allowed"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("a query or fragment in the base URL is not allowed"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(refuse("it names no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(refuse("plain http:// to a host that is not loopback")),
        other => return Err(refuse(&format!("the scheme {other}:// is not allowed"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// What one request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A 200 with a body (still to be read as the contract's JSON), and
    /// whether it came, free, from the provider's own cache
    /// (`X-Cache: Hit ...`, asked for with `--provider-cache`).
    Body(String, bool),
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
    /// An answer that was paid for but cannot be used, and that the same
    /// question would get again (a body over the size limit): answered at
    /// once, never retried, never cached.
    Unusable(String),
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
    /// Track a GSTIN's returns filed in a financial year.
    Returns {
        /// The GSTIN (canonical).
        gstin: String,
        /// The financial year's first year (2025 for FY 2025-26).
        year: i32,
    },
}

impl Question {
    /// `gstin` or `pan`.
    pub fn kind(&self) -> &'static str {
        match self {
            Question::Gstin(_) => "gstin",
            Question::Pan { .. } => "pan",
            Question::Returns { .. } => "returns",
        }
    }

    /// What the store keeps the answer under: the GSTIN, or the PAN with
    /// the name and date of birth sent (another name is another question).
    /// Borrowed for a GSTIN: `verify` makes one for every row, twice.
    pub fn key(&self) -> Cow<'_, str> {
        match self {
            Question::Gstin(g) => Cow::Borrowed(g),
            Question::Pan { pan, name, dob } => Cow::Owned(format!("{pan}|{name}|{dob}")),
            Question::Returns { gstin, year } => {
                Cow::Owned(format!("{gstin} {}", super::credit::fy_label(*year)))
            }
        }
    }

    /// The question a [`Question::key`] was made from. A PAN and a date
    /// hold no `|`, so a name holding one comes back whole.
    pub fn from_key(key: &str) -> Question {
        match key.split_once('|').zip(key.rsplit_once('|')) {
            Some(((pan, _), (rest, dob))) => Question::Pan {
                pan: pan.to_string(),
                name: rest[pan.len() + 1..].to_string(),
                dob: dob.to_string(),
            },
            None => Question::Gstin(key.to_string()),
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
    /// Every token obtained, so that none is ever shown.
    tokens: Mutex<Vec<String>>,
    /// Ask for the provider's cached answer (`x-accept-cache: true`).
    provider_cache: bool,
}

/// The `x-api-version` the provider documents for its GST calls (SPEC.md
/// 7.1); other calls send none and get the latest stable version.
pub const GST_API_VERSION: &str = "1.0.0";

/// The provider's published rate limit, in requests a minute, for the host
/// of `base` (SPEC.md 7.1): the default `--rate`. `None` for other hosts
/// (a test emulator on loopback).
pub fn published_rate(base: &str) -> Option<u32> {
    let host = base.split("://").nth(1)?.split(['/', ':']).next()?;
    match host.to_ascii_lowercase().as_str() {
        "test-api.sandbox.co.in" => Some(25),
        "api.sandbox.co.in" => Some(100),
        _ => None,
    }
}

/// Whether the provider's own pre-check lets `gstin` through (SPEC.md 7.1):
/// the common layout with `C` or `Z` as the 14th character, or the UN
/// bodies' layout. Other registration types get 422 there, so they are
/// never sent.
pub fn provider_accepts(gstin: &str) -> bool {
    let b = gstin.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let letters = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_alphabetic);
    if b.len() != 15 || !b[14].is_ascii_alphanumeric() {
        return false;
    }
    let common = digits(0..2)
        && letters(2..7)
        && digits(7..11)
        && letters(11..12)
        && (b[12].is_ascii_alphabetic() || (b'1'..=b'9').contains(&b[12]))
        && matches!(b[13].to_ascii_uppercase(), b'C' | b'Z');
    let un = digits(0..4)
        && letters(4..7)
        && digits(7..12)
        && b[12..14].iter().all(|c| matches!(c.to_ascii_uppercase(), b'U' | b'N'));
    common || un
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
        Client {
            agent,
            base,
            credentials,
            reason,
            token: Mutex::new((None, 0)),
            tokens: Mutex::new(Vec::new()),
            provider_cache: false,
        }
    }

    /// With `on`, asks for the provider's own cached answers, which are
    /// free and up to 24 hours old (`--provider-cache`).
    pub fn with_provider_cache(mut self, on: bool) -> Client {
        self.provider_cache = on;
        self
    }

    /// The current token and its generation, authenticating first if there
    /// is none.
    fn token(&self) -> std::result::Result<(String, u64), Reply> {
        let mut t = self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Some(tok), generation) = &*t {
            return Ok((tok.clone(), *generation));
        }
        let tok = self.authenticate().map_err(|r| self.cleaned(r))?;
        self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(tok.clone());
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
            .send_empty();
        let (status, body, _, _) = read(resp)?;
        // The token is not known yet; the key and secret are.
        let body = if status == 200 { body } else { self.redact(&body) };
        match status {
            200 => serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| {
                    let token = v.pointer("/data/access_token").or_else(|| v.get("access_token"));
                    token?.as_str().filter(|t| !t.is_empty()).map(String::from)
                })
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
        let track;
        let (path, body) = match question {
            Question::Gstin(gstin) => {
                ("gst/compliance/public/gstin/search", serde_json::json!({ "gstin": gstin }))
            }
            Question::Returns { gstin, year } => {
                let fy = super::credit::fy_label(*year).replace(' ', "%20");
                track = format!("gst/compliance/public/gstrs/track?financial_year={fy}");
                (track.as_str(), serde_json::json!({ "gstin": gstin }))
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
        let mut request = self
            .agent
            .post(&format!("{}/{path}", self.base))
            .header("x-api-key", &self.credentials.key)
            // The token itself: the provider does not take `Bearer <token>`.
            .header("authorization", &token);
        if path.starts_with("gst/") {
            request = request.header("x-api-version", GST_API_VERSION);
        }
        if self.provider_cache {
            request = request.header("x-accept-cache", "true");
        }
        let resp = request.send_json(body);
        // Redacted before anything is read out of it, or cut short.
        let reply = match read(resp)
            .map(|(status, body, retry, hit)| (status, self.redact(&body), retry, hit))
        {
            Err(t) => t,
            Ok((200, body, _, hit)) => Reply::Body(body, hit),
            Ok((401, _, _, _)) => Reply::TokenRefused,
            Ok((403, body, _, _)) if message(&body).to_ascii_lowercase().contains("token") => {
                Reply::TokenRefused
            }
            Ok((403, body, _, _)) => Reply::Stop(format!("the provider said: {}", message(&body))),
            Ok((422, body, _, _)) => Reply::Refused(message(&body)),
            Ok((status, body, retry, _)) => classify(status, &body, retry),
        };
        (self.cleaned(reply), generation)
    }

    /// `text` with the key, the secret and every token replaced by
    /// `[redacted]`: some gateways echo request headers in their error
    /// bodies, and nothing the provider says may carry a secret onward.
    pub fn redact(&self, text: &str) -> String {
        let tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = text.to_string();
        let secrets = [&self.credentials.key, &self.credentials.secret];
        for word in secrets.into_iter().chain(tokens.iter()) {
            if !word.is_empty() && out.contains(word.as_str()) {
                out = out.replace(word.as_str(), "[redacted]");
            }
        }
        out
    }

    /// Provider text as it may be shown: redacted, and with control
    /// characters escaped so that none reaches a terminal raw.
    pub fn clean(&self, text: &str) -> String {
        super::answer::printable(&self.redact(text)).into_owned()
    }

    /// A reply whose texts are [`Client::clean`]ed; a body is left as it is
    /// (redacted as read, and JSON whose fields are escaped as they are read).
    fn cleaned(&self, reply: Reply) -> Reply {
        match reply {
            Reply::Body(b, hit) => Reply::Body(b, hit),
            Reply::Transient { why, retry_after, throttled } => {
                Reply::Transient { why: self.clean(&why), retry_after, throttled }
            }
            Reply::TokenRefused => Reply::TokenRefused,
            Reply::Unusable(m) => Reply::Unusable(self.clean(&m)),
            Reply::Refused(m) => Reply::Refused(self.clean(&m)),
            Reply::Stop(m) => Reply::Stop(self.clean(&m)),
        }
    }
}

/// A response's status, body, `Retry-After`, and whether `X-Cache` says it
/// came from the provider's cache; or a transient failure.
fn read(
    resp: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> std::result::Result<(u16, String, Option<Duration>, bool), Reply> {
    let transient = |why: String| Reply::Transient { why, retry_after: None, throttled: false };
    let mut resp = resp.map_err(|e| transient(format!("no answer: {e}")))?;
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let hit = resp
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("hit"));
    let body = resp.body_mut().read_to_string().map_err(|e| match e {
        // The same question gets the same oversized answer: not worth paying again.
        ureq::Error::BodyExceedsLimit(limit) => Reply::Unusable(format!(
            "the provider's answer ({status}) was larger than the {} MB gstbatch reads",
            limit >> 20
        )),
        e => transient(format!("the answer broke off: {e}")),
    })?;
    Ok((status, body, retry, hit))
}

/// Any other status (SPEC.md 7.1): 429 and 5xx (504 a timeout) are
/// transient; 400 and 413 are about this request, which would fail again,
/// so it alone is a provider error; 404 means the address is wrong, for
/// every call; anything else stops.
fn classify(status: u16, body: &str, retry_after: Option<Duration>) -> Reply {
    match status {
        400 | 413 => Reply::Unusable(format!(
            "the provider refused the request ({status}: {})",
            message(body)
        )),
        404 => Reply::Stop(format!(
            "the provider has no such address (404: {}); is --api-base right?",
            message(body)
        )),
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
mod tests;
