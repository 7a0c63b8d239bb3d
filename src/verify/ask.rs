//! Asking the provider about many identifiers at once, as SPEC.md 7.2
//! says: a few requests in flight (fewer after a 429, more again as calls
//! succeed), an optional rate per minute, transient failures retried after
//! `Retry-After` or a jittered backoff, one new token after a refused one,
//! and a stop for everyone on access denied or insufficient credits (or on
//! Ctrl-C, or once `--max-calls` is spent). Results go out on a channel as
//! they arrive, so the caller can store them at once.

use std::sync::mpsc::Sender;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::answer::{self, Parsed};
use super::client::{Client, Question, Reply};

/// How many times a value is retried after a transient failure.
pub const RETRIES: u32 = 4;

/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How the asking goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests started per minute at most.
    pub rate: Option<u32>,
    /// Values asked about at most (each costs a paid call).
    pub max_calls: Option<u64>,
    /// The first backoff; then doubled (1, 2, 4, 8 s by default).
    pub backoff: Duration,
}

/// What became of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider answered; `raw` is the body as received.
    Answered {
        /// The answer, read.
        parsed: Box<Parsed>,
        /// The body.
        raw: String,
        /// It came, free, from the provider's cache.
        cached: bool,
    },
    /// The provider refused the value itself (422).
    Refused(String),
    /// The provider answered (a paid call) with something that is not a
    /// verdict and would not become one on retry.
    ProviderError(String),
    /// No answer after the retries.
    Unavailable(String),
    /// Not asked (a stop, the budget, an interruption), and why.
    NotAsked(String),
}

/// One value done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// Its index in the list given to [`ask_all`].
    pub index: usize,
    /// What became of it.
    pub outcome: Outcome,
    /// Retries it took.
    pub retries: u32,
}

struct Shared {
    next: usize,
    in_flight: usize,
    limit: usize,
    asked: u64,
    stop: Option<String>,
    next_start: Instant,
}

/// Asks about every value of `ids`, sending each result on `tx` as it
/// comes; returns when all are done, with the provider's reason if every
/// call was stopped (access denied, insufficient credits). `halt` is asked
/// before each new call whether to make it, and says why not (Ctrl-C, a
/// store that no longer takes answers).
pub fn ask_all(
    client: &Client,
    ids: &[Question],
    pace: Pace,
    halt: &(dyn Fn() -> Option<String> + Sync),
    tx: &Sender<Done>,
) -> Option<String> {
    let max = pace.concurrency.max(1);
    let shared = Mutex::new(Shared {
        next: 0,
        in_flight: 0,
        limit: max,
        asked: 0,
        stop: None,
        next_start: Instant::now(),
    });
    let freed = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    std::thread::scope(|scope| {
        for _ in 0..max.min(ids.len()) {
            let tx = tx.clone();
            scope.spawn(|| {
                let tx = tx;
                loop {
                    // Take the next value once a place in flight is free.
                    let mut s = lock();
                    while s.in_flight >= s.limit && s.next < ids.len() {
                        s = freed.wait(s).unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                    if s.next >= ids.len() {
                        return;
                    }
                    let index = s.next;
                    s.next += 1;
                    let why_not = if let Some(why) = &s.stop {
                        Some(why.clone())
                    } else if let Some(why) = halt() {
                        Some(format!("not asked: {why}"))
                    } else if pace.max_calls.is_some_and(|m| s.asked >= m) {
                        Some("not asked: --max-calls was reached".to_string())
                    } else {
                        None
                    };
                    if let Some(why) = why_not {
                        drop(s);
                        let _ =
                            tx.send(Done { index, outcome: Outcome::NotAsked(why), retries: 0 });
                        continue;
                    }
                    s.asked += 1;
                    s.in_flight += 1;
                    drop(s);
                    let (outcome, retries) = ask_one(client, &ids[index], pace, &shared, &freed);
                    let mut s = lock();
                    s.in_flight -= 1;
                    if matches!(outcome, Outcome::Answered { .. }) {
                        s.limit = raised(s.limit, max);
                    }
                    drop(s);
                    freed.notify_all();
                    let _ = tx.send(Done { index, outcome, retries });
                }
            });
        }
    });
    shared.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).stop
}

/// The requests in flight after a 429: half as many, at least one.
fn lowered(limit: usize) -> usize {
    (limit / 2).max(1)
}

/// The requests in flight after an answer: one more, up to `max`.
fn raised(limit: usize, max: usize) -> usize {
    (limit + 1).min(max)
}

/// Waits for the rate limit, if any, before a request starts.
fn pace_start(pace: Pace, shared: &Mutex<Shared>) {
    let Some(rate) = pace.rate.filter(|r| *r > 0) else { return };
    let gap = Duration::from_secs(60) / rate;
    let wait = {
        let mut s = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let start = s.next_start.max(now);
        s.next_start = start + gap;
        start - now
    };
    std::thread::sleep(wait);
}

fn ask_one(
    client: &Client,
    id: &Question,
    pace: Pace,
    shared: &Mutex<Shared>,
    freed: &Condvar,
) -> (Outcome, u32) {
    let mut retries = 0;
    let mut reauthenticated = false;
    loop {
        if let Some(why) =
            shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner).stop.clone()
        {
            return (Outcome::NotAsked(why), retries);
        }
        pace_start(pace, shared);
        let (reply, generation) = client.ask(id);
        let parsed = |body: &str| match id {
            Question::Gstin(g) => answer::parse(body, g),
            Question::Pan { pan, .. } => answer::parse_pan(body, pan),
            Question::Returns { .. } => answer::parse_tracked(body),
        };
        let (why, wait) = match reply {
            Reply::Body(body, cached) => match parsed(&body) {
                Ok(parsed) => {
                    let parsed = Box::new(parsed);
                    return (Outcome::Answered { parsed, raw: body, cached }, retries);
                }
                Err(answer::Unread::NotVerdict(why)) => {
                    return (Outcome::ProviderError(client.clean(&why)), retries);
                }
                Err(answer::Unread::NotJson) => {
                    ("200 with a body that is not the provider's JSON".to_string(), None)
                }
            },
            Reply::Refused(message) => return (Outcome::Refused(message), retries),
            Reply::Unusable(message) => return (Outcome::ProviderError(message), retries),
            Reply::TokenRefused if !reauthenticated => {
                reauthenticated = true;
                client.drop_token(generation);
                continue;
            }
            // SPEC.md 7.2 allows one new token; a fresh one refused too means
            // the credentials are refused, and retrying would only fail again.
            Reply::TokenRefused => return stop_all(CREDENTIALS_REFUSED, shared, freed, retries),
            Reply::Stop(message) => return stop_all(&message, shared, freed, retries),
            Reply::Transient { why, retry_after, throttled } => {
                if throttled {
                    // Fewer requests at once until calls succeed again.
                    let mut s = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    s.limit = lowered(s.limit);
                }
                (why, retry_after)
            }
        };
        if retries >= RETRIES {
            return (
                Outcome::Unavailable(format!("no answer after {RETRIES} retries: {why}")),
                retries,
            );
        }
        let wait = wait.map_or_else(|| backoff(pace.backoff, retries), |w| w.min(MAX_RETRY_AFTER));
        retries += 1;
        std::thread::sleep(wait);
    }
}

/// Why every call stops when a token the provider had just issued is
/// refused too.
const CREDENTIALS_REFUSED: &str =
    "the provider refused the credentials: a token it had just issued was refused too";

/// Stops every call for `message`; this value is not asked.
fn stop_all(
    message: &str,
    shared: &Mutex<Shared>,
    freed: &Condvar,
    retries: u32,
) -> (Outcome, u32) {
    let mut s = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    s.stop.get_or_insert_with(|| format!("not asked: {message}"));
    drop(s);
    freed.notify_all();
    (Outcome::NotAsked(format!("not asked: {message}")), retries)
}

/// The `n`th backoff: `base` doubled `n` times, ±20 %.
fn backoff(base: Duration, n: u32) -> Duration {
    let nominal = base.saturating_mul(1 << n.min(16));
    // Jitter from the clock's low bits: spread enough to keep threads
    // apart, no generator needed.
    let nanos = Instant::now().elapsed().as_nanos() as u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()));
    let unit = crate::batch::mix64(nanos) as f64 / u64::MAX as f64; // 0..1
    nominal.mul_f64(0.8 + 0.4 * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_halves_the_requests_in_flight_and_answers_win_them_back() {
        let mut limit = 8;
        let mut seen = vec![limit];
        for _ in 0..4 {
            limit = lowered(limit);
            seen.push(limit);
        }
        for _ in 0..9 {
            limit = raised(limit, 8);
            seen.push(limit);
        }
        assert_eq!(seen, [8, 4, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8]);
    }

    #[test]
    fn backoff_doubles_within_twenty_percent() {
        let base = Duration::from_secs(1);
        for (n, nominal) in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0)] {
            for _ in 0..50 {
                let b = backoff(base, n).as_secs_f64();
                assert!(b >= nominal * 0.8 - 1e-9 && b <= nominal * 1.2 + 1e-9, "{n}: {b}");
            }
        }
    }
}
