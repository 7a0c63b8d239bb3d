//! An emulator of the provider's API (SPEC.md 7.1) on 127.0.0.1, with
//! faults injected per GSTIN and attempt. No test reaches the network: every
//! `verify` test points `--api-base` here.
//!
//! It checks what the real host checks (the key and API version on every
//! call, the secret on authenticate, the token itself in `authorization`,
//! never `Bearer <token>`), answers from its records with the documented
//! envelope, both `data` shapes and `NOGSTIN`, and counts what it was asked.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The key and secret the emulator accepts.
pub const KEY: &str = "key_test_emulator_7f3a";
/// The secret.
pub const SECRET: &str = "secret_test_emulator_91cd";

/// The most connections one emulator serves.
const MAX_CONNECTIONS: usize = 100_000;

/// A fault for one attempt at one GSTIN.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(dead_code)]
pub enum Fault {
    /// Answer with this status (and `Retry-After` seconds, if any).
    Status(u16, Option<u64>),
    /// Close the connection without answering.
    Drop,
    /// Wait this long before answering.
    Slow(Duration),
    /// A 200 whose body is not JSON.
    NotJson,
    /// The token expires just before this request.
    ExpireToken,
    /// Answer with this status and this body exactly; a 200 is paid.
    Raw(u16, String),
}

/// A PAN as the Income Tax Department knows it.
#[derive(Debug, Clone)]
pub struct PanRecord {
    /// The holder's name.
    pub name: String,
    /// Date of birth or incorporation, `DD/MM/YYYY`.
    pub dob: String,
    /// `individual`, `company`, ...
    pub category: String,
    /// `valid` or `invalid`.
    pub status: String,
    /// `null`, or an event such as `Holder is Deceased`.
    pub remarks: Option<String>,
    /// `y`, `n` or `na`.
    pub seeding: String,
}

/// What the emulator knows and has seen.
#[derive(Default)]
pub struct State {
    /// GSTIN -> the taxpayer record (`data`), or `None` for NOGSTIN.
    pub records: HashMap<String, Option<serde_json::Value>>,
    /// GSTINs whose record comes nested in `data.data`.
    pub nested: Vec<String>,
    /// GSTINs answered `SWEB_9035` (invalid GSTIN / UID) instead of
    /// `NOGSTIN`.
    pub invalid: Vec<String>,
    /// GSTIN -> faults by attempt (1st, 2nd, ...).
    pub faults: HashMap<String, Vec<Fault>>,
    /// PAN -> (name, date of birth `DD/MM/YYYY`, category, status,
    /// remarks, Aadhaar seeding).
    pub pans: HashMap<String, PanRecord>,
    /// The PAN requests' bodies, as received.
    pub pan_requests: Vec<serde_json::Value>,
    /// After this many paid answers, 403 Insufficient credits.
    pub credits: Option<u64>,
    /// Every answer takes this long.
    pub latency: Duration,
    /// Search attempts by GSTIN.
    pub attempts: HashMap<String, u64>,
    /// Answers given (charged).
    pub paid: u64,
    /// Authentications.
    pub authentications: u64,
    /// Requests being answered now, and the most at once.
    pub in_flight: u64,
    /// The most requests in flight at once.
    pub max_in_flight: u64,
    /// Requests that broke the header rules (sent 401 for them).
    pub bad_headers: Vec<String>,
    /// Refuse every token on a search (401), even one just issued.
    pub refuse_tokens: bool,
    /// GSTINs whose answer the provider's own cache holds: with
    /// `x-accept-cache: true` they are answered from it, free, with
    /// `X-Cache: Hit from Cloudfront`; a miss is paid and then cached.
    pub provider_cached: Vec<String>,
    /// Requests that asked for the provider's cache.
    pub cache_requests: u64,
    /// Answer authenticate with the older contract's top-level token.
    pub top_level_token: bool,
    /// (GSTIN, `FY 2025-26`) -> its `EFiledlist`; absent: `RET13510`.
    pub returns: HashMap<(String, String), Vec<serde_json::Value>>,
    /// GSTINs whose return-tracking answer uses the older contract's
    /// shape (`data.EFiledlist`, not `data.data.EFiledlist`).
    pub flat_returns: Vec<String>,
    token: Option<String>,
}

/// A running emulator.
pub struct Emulator {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub base: String,
    /// Its state, to set up and inspect.
    pub state: Arc<Mutex<State>>,
}

impl Emulator {
    /// Starts an emulator on a random loopback port. Its thread serves until
    /// the test process ends.
    pub fn start() -> Emulator {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        // Bounded: no test or benchmark opens more connections than this.
        std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS).flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Emulator { base, state }
    }

    /// Adds an active (or other `sts`) registration.
    pub fn register(&self, gstin: &str, legal: &str, trade: &str, sts: &str) {
        let record = serde_json::json!({
            "gstin": gstin, "lgnm": legal, "tradeNam": trade, "sts": sts,
            "rgdt": "01/07/2017", "cxdt": if sts.starts_with("Cancel") { "15/03/2024" } else { "" },
            "lstupdt": "05/11/2026", "ctb": "Private Limited Company", "dty": "Regular",
            "stj": "Ward 1", "ctj": "Range 2", "nba": ["Supplier of Services"],
            "pradr": {"addr": {"bno": "12", "st": "MG Road", "loc": "Pune", "dst": "Pune",
                                "stcd": "Maharashtra", "pncd": "411001"}},
            "einvoiceStatus": "Yes"
        });
        self.lock().records.insert(gstin.to_string(), Some(record));
    }

    /// Records `gstin`'s filings in financial year `fy` (`FY 2025-26`):
    /// (rtntype, ret_prd `MMYYYY`, date of filing `DD-MM-YYYY`).
    pub fn filings(&self, gstin: &str, fy: &str, filed: &[(&str, &str, &str)]) {
        let list = filed
            .iter()
            .map(|(rtntype, ret_prd, dof)| {
                serde_json::json!({"rtntype": rtntype, "ret_prd": ret_prd, "dof": dof,
                    "status": "Filed", "arn": "AA2711250000000", "mof": "ONLINE", "valid": "Y"})
            })
            .collect();
        self.lock().returns.insert((gstin.to_string(), fy.to_string()), list);
    }

    /// Sets the faults of a GSTIN's attempts.
    pub fn faults(&self, gstin: &str, faults: Vec<Fault>) {
        self.lock().faults.insert(gstin.to_string(), faults);
    }

    /// The state, locked.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("emulator state")
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let reply = {
        let mut s = state.lock().expect("emulator state");
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
        drop(s);
        let r = answer(&path, &headers, &body, state);
        state.lock().expect("emulator state").in_flight -= 1;
        r
    };
    let Some((status, extra, text)) = reply else { return };
    let mut out = stream;
    let _ = write!(
        out,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n{extra}\r\n{text}",
        text.len()
    );
    let _ = out.flush();
}

/// The reply to one request: status, extra header lines, body; `None` to
/// drop the connection.
fn answer(
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
    state: &Mutex<State>,
) -> Option<(u16, String, String)> {
    let envelope = |data: serde_json::Value| {
        serde_json::json!({"code": 200, "timestamp": 1_764_000_000_000u64,
                           "transaction_id": format!("tx-{}", rand_id()), "data": data})
        .to_string()
    };
    let error = |code: u16, message: &str| {
        serde_json::json!({"code": code, "message": message, "timestamp": 1, "transaction_id": "tx-e"})
            .to_string()
    };
    let latency = state.lock().expect("state").latency;
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    let mut s = state.lock().expect("state");
    // GST calls carry the documented version; the others carry none.
    let version = headers.get("x-api-version").map(String::as_str);
    let wanted = path.starts_with("/gst/").then_some("1.0.0");
    if headers.get("x-api-key").map(String::as_str) != Some(KEY) || version != wanted {
        s.bad_headers.push(format!("{path}: key or version"));
        return Some((401, String::new(), error(401, "Invalid API key")));
    }
    if path == "/authenticate" {
        if headers.get("x-api-secret").map(String::as_str) != Some(SECRET) {
            return Some((401, String::new(), error(401, "Invalid API secret")));
        }
        s.authentications += 1;
        let token = format!("tok-{}-{}", s.authentications, rand_id());
        s.token = Some(token.clone());
        if s.top_level_token {
            let body = serde_json::json!({"code": 200, "access_token": token, "timestamp": "1"});
            return Some((200, String::new(), body.to_string()));
        }
        return Some((200, String::new(), envelope(serde_json::json!({"access_token": token}))));
    }
    let pan_call = path == "/kyc/pan/verify";
    let track = path.strip_prefix("/gst/compliance/public/gstrs/track?financial_year=");
    if path != "/gst/compliance/public/gstin/search" && !pan_call && track.is_none() {
        return Some((404, String::new(), error(404, "Not found")));
    }
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |k: &str| request.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    // Faults, attempts and tokens work alike for both calls, keyed by the
    // GSTIN or the PAN.
    // Return tracking is counted apart: `track GSTIN FY 2025-26`.
    let fy = track.map(|q| q.replace("%20", " "));
    let gstin = match &fy {
        _ if pan_call => field("pan"),
        Some(fy) => format!("track {} {fy}", field("gstin")),
        None => field("gstin"),
    };
    let attempt = {
        let n = s.attempts.entry(gstin.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let fault = s.faults.get(&gstin).and_then(|f| f.get(attempt as usize - 1)).cloned();
    if fault == Some(Fault::ExpireToken) {
        s.token = None;
    }
    let auth = headers.get("authorization").cloned().unwrap_or_default();
    if auth.starts_with("Bearer") {
        s.bad_headers.push(format!("{path}: Bearer"));
    }
    if s.token.as_deref() != Some(auth.as_str()) {
        return Some((403, String::new(), error(403, "Invalid token")));
    }
    if s.refuse_tokens {
        return Some((401, String::new(), error(401, "Unauthorized")));
    }
    match fault {
        Some(Fault::Status(code, retry)) => {
            let extra = retry.map(|r| format!("retry-after: {r}\r\n")).unwrap_or_default();
            return Some((code, extra, error(code, "emulated failure")));
        }
        Some(Fault::Drop) => return None,
        Some(Fault::Slow(d)) => {
            drop(s);
            std::thread::sleep(d);
            s = state.lock().expect("state");
        }
        Some(Fault::NotJson) => return Some((200, String::new(), "<html>gateway</html>".into())),
        Some(Fault::Raw(status, body)) => {
            s.paid += u64::from(status == 200);
            return Some((status, String::new(), body));
        }
        Some(Fault::ExpireToken) | None => {}
    }
    if s.credits.is_some_and(|c| s.paid >= c) {
        return Some((403, String::new(), error(403, "Insufficient credits")));
    }
    if pan_call {
        s.pan_requests.push(request.clone());
        return pan_answer(&mut s, &field, envelope, error);
    }
    if let Some(fy) = fy {
        s.paid += 1;
        let asked = field("gstin");
        let data = match s.returns.get(&(asked.clone(), fy)) {
            Some(list) if s.flat_returns.contains(&asked) => {
                serde_json::json!({"EFiledlist": list})
            }
            Some(list) => serde_json::json!({"status_cd": "1", "data": {"EFiledlist": list}}),
            None => serde_json::json!({"status_cd": "0", "error": {"error_cd": "RET13510",
                "message": "No Record found for the provided Inputs"}}),
        };
        return Some((200, String::new(), envelope(data)));
    }
    let mut extra = String::new();
    if headers.get("x-accept-cache").map(String::as_str) == Some("true") {
        s.cache_requests += 1;
        if s.provider_cached.contains(&gstin) {
            extra = "x-cache: Hit from Cloudfront\r\n".into();
        } else {
            extra = "x-cache: Miss from Cloudfront\r\n".into();
            s.provider_cached.push(gstin.clone());
        }
    }
    s.paid += u64::from(!extra.starts_with("x-cache: Hit"));
    let data = match s.records.get(&gstin) {
        Some(Some(record)) if s.nested.contains(&gstin) => {
            serde_json::json!({"status_cd": "1", "data": record})
        }
        Some(Some(record)) => record.clone(),
        _ if s.invalid.contains(&gstin) => {
            serde_json::json!({"error_code": "SWEB_9035", "message": "Invalid GSTIN / UID"})
        }
        _ => serde_json::json!({"error_code": "NOGSTIN", "message": "No records found"}),
    };
    Some((200, extra, envelope(data)))
}

/// The answer to a PAN verification: the documented test PANs first, then
/// the registered ones.
fn pan_answer(
    s: &mut State,
    field: &dyn Fn(&str) -> String,
    envelope: impl Fn(serde_json::Value) -> String,
    error: impl Fn(u16, &str) -> String,
) -> Option<(u16, String, String)> {
    if field("@entity") != "in.co.sandbox.kyc.pan_verification.request" {
        return Some((422, String::new(), error(422, "Invalid entity")));
    }
    if field("consent") != "Y" {
        return Some((422, String::new(), error(422, "Consent is required")));
    }
    let pan = field("pan");
    match pan.as_str() {
        "XXXPX1234C" => return Some((403, String::new(), error(403, "Insufficient Privilege"))),
        "XXXPX1234D" => return Some((403, String::new(), error(403, "Insufficient credits"))),
        "XXXPX123EE" => return Some((422, String::new(), error(422, "Invalid PAN pattern"))),
        "XXXPX1234F" => return Some((500, String::new(), error(500, "Internal server error"))),
        "XXXPX1234G" => return Some((503, String::new(), error(503, "Source unavailable"))),
        _ => {}
    }
    let test = |name: &str, category: &str, status: &str, seeding: &str| PanRecord {
        name: name.into(),
        dob: "01/01/1990".into(),
        category: category.into(),
        status: status.into(),
        remarks: None,
        seeding: seeding.into(),
    };
    let record = match pan.as_str() {
        "XXXPX1234A" => test("TEST INDIVIDUAL", "individual", "valid", "y"),
        "XXXCX1234B" => test("TEST COMPANY", "company", "valid", "na"),
        "XXXFX1234J" => {
            PanRecord { remarks: Some("Deleted".into()), ..test("", "firm", "invalid", "na") }
        }
        _ => s.pans.get(&pan).cloned().unwrap_or_else(|| test("", "individual", "invalid", "na")),
    };
    s.paid += 1;
    let data = serde_json::json!({
        "@entity": "in.co.sandbox.kyc.pan_verification.response",
        "pan": pan,
        "category": record.category,
        "status": record.status,
        "remarks": record.remarks,
        "name_as_per_pan_match": field("name_as_per_pan").trim().eq_ignore_ascii_case(&record.name),
        "date_of_birth_match": field("date_of_birth") == record.dob,
        "aadhaar_seeding_status": record.seeding,
    });
    Some((200, String::new(), envelope(data)))
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}
