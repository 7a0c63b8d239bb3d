//! The API-access ledger's pure rules (SPEC.md section 6): durations, the
//! session vocabulary the store persists, and the transition that turns one
//! instruction into a session change. Pure: `(current session, instruction)
//! -> transition`, with times as seconds since the Unix epoch; no I/O.
//!
//! It sits beside [`crate::ident`] and [`crate::time`], not under the
//! `access` command, because the store ([`crate::store`]) reads and writes
//! these types and must not import a command.

pub mod duration;

use duration::AccessDuration;

/// The shortest remaining access with which a GSP can still get a fresh
/// 6-hour auth token; at or below it the portal answers `AUTH4037`.
pub const TOKEN_WINDOW_SECONDS: i64 = 6 * 3600;

/// What an instruction asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Enable API access for a duration.
    Enable(AccessDuration),
    /// Disable API access.
    Disable,
}

impl Action {
    /// `enable` or `disable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Enable(_) => "enable",
            Action::Disable => "disable",
        }
    }
}

/// What the ledger knows about one GSTIN's API access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whether the last change enabled access (a disable clears it).
    pub enabled: bool,
    /// When access was last enabled (for a GSTIN never enabled, the time
    /// of its first disable).
    pub enabled_at: i64,
    /// For how long; `None` for a GSTIN whose only instructions were
    /// disables (recorded, so that later files are ordered after them).
    pub duration: Option<AccessDuration>,
    /// When access ends: enabled_at + duration, or the time of a disable.
    pub expires_at: i64,
    /// The time of the last recorded change.
    pub last_change: i64,
    /// The reference of the last change.
    pub reference: String,
}

/// A GSTIN's access at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Enabled, and the moment is before the expiry.
    Active,
    /// Enabled, and the expiry has passed.
    Expired,
    /// Disabled.
    Disabled,
    /// Never recorded.
    Unknown,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 4] =
        [Status::Active, Status::Expired, Status::Disabled, Status::Unknown];

    /// The status with this stable name.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::Disabled => "disabled",
            Status::Unknown => "unknown",
        }
    }
}

impl Session {
    /// The status at time `t`.
    pub fn status_at(&self, t: i64) -> Status {
        match (self.enabled, t < self.expires_at) {
            (false, _) => Status::Disabled,
            (true, true) => Status::Active,
            (true, false) => Status::Expired,
        }
    }

    /// Whether, at time `t`, an active session has too little time left to
    /// give a GSP a fresh 6-hour token (SPEC.md section 6, `AUTH4037`).
    pub fn token_window_closed(&self, t: i64) -> bool {
        self.status_at(t) == Status::Active && self.expires_at - t <= TOKEN_WINDOW_SECONDS
    }
}

/// The status of a possibly unknown GSTIN at `t`.
pub fn status_of(session: Option<&Session>, t: i64) -> Status {
    session.map_or(Status::Unknown, |s| s.status_at(t))
}

/// What happened to one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Access enabled where none was active.
    Enabled,
    /// An active session replaced, its expiry counted from the new time.
    Renewed,
    /// An active session ended.
    Disabled,
    /// A disable with nothing active: nothing changed.
    Unchanged,
    /// Refused; the reason says why.
    Rejected(Reason),
}

impl Outcome {
    /// Every outcome but a rejection, which carries its reason.
    pub const WITHOUT_REASON: [Outcome; 4] =
        [Outcome::Enabled, Outcome::Renewed, Outcome::Disabled, Outcome::Unchanged];

    /// The outcome named `name`; a rejection needs its reason.
    pub fn from_name(name: &str, reason: Option<Reason>) -> Option<Outcome> {
        Some(match (name, reason) {
            ("enabled", None) => Outcome::Enabled,
            ("renewed", None) => Outcome::Renewed,
            ("disabled", None) => Outcome::Disabled,
            ("unchanged", None) => Outcome::Unchanged,
            ("rejected", Some(r)) => Outcome::Rejected(r),
            _ => return None,
        })
    }

    /// The rejection reason, if rejected.
    pub fn reason(self) -> Option<Reason> {
        match self {
            Outcome::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// Whether access is live after it (`enabled` or `renewed`).
    pub fn is_live(self) -> bool {
        matches!(self, Outcome::Enabled | Outcome::Renewed)
    }

    /// The stable name: `enabled`, `renewed`, `disabled`, `unchanged` or
    /// `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Enabled => "enabled",
            Outcome::Renewed => "renewed",
            Outcome::Disabled => "disabled",
            Outcome::Unchanged => "unchanged",
            Outcome::Rejected(_) => "rejected",
        }
    }
}

/// Why an instruction was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// The GSTIN is invalid.
    InvalidGstin,
    /// The action is not enable/yes/y or disable/no/n.
    BadAction,
    /// An enable without a duration.
    MissingDuration,
    /// A duration outside 6 hours to 30 days, or unreadable.
    BadDuration,
    /// An unreadable effective time.
    BadTime,
    /// An effective time later than now.
    FutureTime,
    /// An effective time before the GSTIN's last recorded change.
    OutOfOrder,
}

impl Reason {
    /// Every reason, for summaries.
    pub const ALL: [Reason; 7] = [
        Reason::InvalidGstin,
        Reason::BadAction,
        Reason::MissingDuration,
        Reason::BadDuration,
        Reason::BadTime,
        Reason::FutureTime,
        Reason::OutOfOrder,
    ];

    /// The reason with this stable code.
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidGstin => "invalid_gstin",
            Reason::BadAction => "bad_action",
            Reason::MissingDuration => "missing_duration",
            Reason::BadDuration => "bad_duration",
            Reason::BadTime => "bad_time",
            Reason::FutureTime => "future_time",
            Reason::OutOfOrder => "out_of_order",
        }
    }
}

/// The result of applying one instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// What happened.
    pub outcome: Outcome,
    /// The status at the instruction's effective time, before it.
    pub previous_status: Status,
    /// The expiry before it, if any session was recorded.
    pub previous_expiry: Option<i64>,
    /// The session after it; `None` when nothing changed.
    pub new: Option<Session>,
}

/// Applies `action` at `effective_at` to `current` (SPEC.md section 6).
///
/// - An instruction timed before the last recorded change: `out_of_order`.
/// - Enable while active: `renewed`, the expiry counted from `effective_at`.
/// - Enable otherwise: `enabled`.
/// - Disable while active: `disabled`, access ending at `effective_at`.
/// - Disable otherwise: `unchanged`; access stays as it was, but the
///   disable is recorded as the GSTIN's last change (a GSTIN never seen
///   becomes `disabled`), so that an instruction timed before it, in a later
///   file, is `out_of_order` as it would be within one file.
pub fn apply(
    current: Option<&Session>,
    action: Action,
    effective_at: i64,
    reference: &str,
) -> Transition {
    let previous_expiry = current.map(|s| s.expires_at);
    if let Some(s) = current.filter(|s| effective_at < s.last_change) {
        // Before the last change the ledger's state is history: report the
        // latest one.
        return Transition {
            outcome: Outcome::Rejected(Reason::OutOfOrder),
            previous_status: s.status_at(s.last_change),
            previous_expiry,
            new: None,
        };
    }
    let previous_status = status_of(current, effective_at);
    let done = |outcome, new| Transition { outcome, previous_status, previous_expiry, new };
    match action {
        Action::Enable(duration) => {
            let outcome =
                if previous_status == Status::Active { Outcome::Renewed } else { Outcome::Enabled };
            let session = Session {
                enabled: true,
                enabled_at: effective_at,
                duration: Some(duration),
                expires_at: effective_at + duration.seconds(),
                last_change: effective_at,
                reference: reference.to_string(),
            };
            done(outcome, Some(session))
        }
        Action::Disable => {
            let active = previous_status == Status::Active;
            let mut session = current.cloned().unwrap_or_else(|| never_enabled(effective_at));
            if active {
                session.enabled = false;
                session.expires_at = effective_at;
            }
            session.last_change = effective_at;
            session.reference = reference.to_string();
            done(if active { Outcome::Disabled } else { Outcome::Unchanged }, Some(session))
        }
    }
}

/// The record of a GSTIN whose first instruction is a disable: disabled,
/// never enabled.
fn never_enabled(t: i64) -> Session {
    Session {
        enabled: false,
        enabled_at: t,
        duration: None,
        expires_at: t,
        last_change: t,
        reference: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn hours(h: u32) -> AccessDuration {
        AccessDuration::from_hours(h).unwrap()
    }

    fn enabled(at: i64, h: u32) -> Session {
        apply(None, Action::Enable(hours(h)), at, "r").new.unwrap()
    }

    #[test]
    fn spec_6_every_status_and_action_pair() {
        let t = 1_000 * H;
        let active = enabled(t - 2 * H, 6);
        let expired = enabled(t - 10 * H, 6);
        let disabled =
            apply(Some(&enabled(t - 3 * H, 24)), Action::Disable, t - 2 * H, "r").new.unwrap();
        let cases: [(Option<&Session>, Action, Outcome, Status); 8] = [
            (None, Action::Enable(hours(6)), Outcome::Enabled, Status::Unknown),
            (None, Action::Disable, Outcome::Unchanged, Status::Unknown),
            (Some(&active), Action::Enable(hours(6)), Outcome::Renewed, Status::Active),
            (Some(&active), Action::Disable, Outcome::Disabled, Status::Active),
            (Some(&expired), Action::Enable(hours(6)), Outcome::Enabled, Status::Expired),
            (Some(&expired), Action::Disable, Outcome::Unchanged, Status::Expired),
            (Some(&disabled), Action::Enable(hours(6)), Outcome::Enabled, Status::Disabled),
            (Some(&disabled), Action::Disable, Outcome::Unchanged, Status::Disabled),
        ];
        for (current, action, outcome, previous) in cases {
            let tr = apply(current, action, t, "x");
            assert_eq!(tr.outcome, outcome, "{current:?} {action:?}");
            assert_eq!(tr.previous_status, previous, "{current:?} {action:?}");
            // Every applied instruction is the GSTIN's last change; an
            // unchanged disable leaves access as it was (never seen: disabled).
            let new = tr.new.unwrap();
            assert_eq!(new.last_change, t);
            if outcome == Outcome::Unchanged {
                let want = if previous == Status::Unknown { Status::Disabled } else { previous };
                assert_eq!(new.status_at(t), want, "{current:?}");
                assert_eq!(new.expires_at, current.map_or(t, |c| c.expires_at));
            }
        }
    }

    #[test]
    fn spec_6_an_unchanged_disable_orders_what_comes_after_it() {
        let t = 1_000 * H;
        for current in [None, Some(enabled(t - 20 * H, 6))] {
            let after = apply(current.as_ref(), Action::Disable, t, "file 1").new.unwrap();
            let tr = apply(Some(&after), Action::Enable(hours(24)), t - H, "file 2");
            assert_eq!(tr.outcome, Outcome::Rejected(Reason::OutOfOrder), "{current:?}");
            assert_eq!(tr.new, None);
            let tr = apply(Some(&after), Action::Enable(hours(24)), t, "file 2");
            assert_eq!(tr.outcome, Outcome::Enabled);
        }
    }

    #[test]
    fn spec_6_expiry_arithmetic_at_the_bounds() {
        let t = 500 * H;
        let s = enabled(t, 6);
        assert_eq!(s.expires_at, t + 6 * H);
        assert_eq!(s.status_at(t + 6 * H - 1), Status::Active);
        assert_eq!(s.status_at(t + 6 * H), Status::Expired);
        let s = enabled(t, 720);
        assert_eq!(s.expires_at, t + 720 * H);
        assert_eq!(s.status_at(t + 720 * H - 1), Status::Active);
        assert_eq!(s.status_at(t + 720 * H), Status::Expired);
    }

    #[test]
    fn spec_6_renewal_counts_from_the_new_time() {
        let t = 100 * H;
        let s = enabled(t, 24);
        let tr = apply(Some(&s), Action::Enable(hours(6)), t + 20 * H, "again");
        assert_eq!(tr.outcome, Outcome::Renewed);
        assert_eq!(tr.previous_expiry, Some(t + 24 * H));
        // Shorter than what was left: the new duration wins.
        assert_eq!(tr.new.unwrap().expires_at, t + 26 * H);
    }

    #[test]
    fn spec_6_disable_ends_at_the_effective_time() {
        let t = 100 * H;
        let s = enabled(t, 24);
        let tr = apply(Some(&s), Action::Disable, t + 5 * H, "stop");
        let new = tr.new.unwrap();
        assert_eq!(new.expires_at, t + 5 * H);
        assert_eq!(new.status_at(t + 5 * H), Status::Disabled);
        assert_eq!(new.status_at(t + 6 * H), Status::Disabled);
        assert_eq!(new.reference, "stop");
    }

    #[test]
    fn spec_6_out_of_order_is_rejected_and_equal_time_is_not() {
        let t = 100 * H;
        let s = enabled(t, 24);
        let tr = apply(Some(&s), Action::Disable, t - 1, "late");
        assert_eq!(tr.outcome, Outcome::Rejected(Reason::OutOfOrder));
        assert!(tr.new.is_none());
        assert_eq!(apply(Some(&s), Action::Disable, t, "same").outcome, Outcome::Disabled);
    }

    #[test]
    fn spec_6_token_window() {
        let t = 100 * H;
        let s = enabled(t, 12);
        assert!(!s.token_window_closed(t));
        assert!(!s.token_window_closed(t + 6 * H - 1));
        assert!(s.token_window_closed(t + 6 * H));
        assert!(s.token_window_closed(t + 12 * H - 1));
        // Expired: no window to speak of.
        assert!(!s.token_window_closed(t + 12 * H));
    }

    #[test]
    fn spec_6_names_are_stable() {
        let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "invalid_gstin",
                "bad_action",
                "missing_duration",
                "bad_duration",
                "bad_time",
                "future_time",
                "out_of_order"
            ]
        );
        assert_eq!(Outcome::Rejected(Reason::BadTime).as_str(), "rejected");
        assert_eq!(Status::Unknown.as_str(), "unknown");
        for r in Reason::ALL {
            assert_eq!(Reason::from_name(r.as_str()), Some(r));
            let o = Outcome::Rejected(r);
            assert_eq!(Outcome::from_name(o.as_str(), o.reason()), Some(o));
        }
        for o in Outcome::WITHOUT_REASON {
            assert_eq!(Outcome::from_name(o.as_str(), None), Some(o));
        }
        assert_eq!(Outcome::from_name("rejected", None), None);
        for s in Status::ALL {
            assert_eq!(Status::from_name(s.as_str()), Some(s));
        }
    }
}
