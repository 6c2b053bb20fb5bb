//! The clock, injected so that scoring, signing and replay are
//! deterministic in tests. `PANELIST_NOW=2024-03-01T09:00:00Z` starts a
//! clock at that instant that advances one second per reading.

use std::cell::Cell;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

#[derive(Debug)]
pub enum Clock {
    System,
    Stepping { next_ms: Cell<i128>, step_ms: i128 },
}

impl Clock {
    /// The system clock, or the stepping clock when `PANELIST_NOW` is set.
    pub fn from_env() -> anyhow::Result<Clock> {
        match std::env::var("PANELIST_NOW") {
            Ok(s) if !s.is_empty() => {
                Clock::stepping(&s, 1000).map_err(|e| anyhow::anyhow!("PANELIST_NOW: {e}"))
            }
            _ => Ok(Clock::System),
        }
    }

    pub fn stepping(start: &str, step_ms: i128) -> Result<Clock, String> {
        let t = OffsetDateTime::parse(start, &Rfc3339)
            .map_err(|e| format!("'{start}' is not an RFC 3339 time: {e}"))?;
        Ok(Clock::Stepping {
            next_ms: Cell::new(t.unix_timestamp_nanos() / 1_000_000),
            step_ms,
        })
    }

    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Stepping { next_ms, step_ms } => {
                let ms = next_ms.get();
                next_ms.set(ms + step_ms);
                OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            }
        }
    }

    /// Now as `2024-03-01T09:00:00.000Z`.
    pub fn stamp(&self) -> String {
        stamp(self.now())
    }
}

/// Formats a time as RFC 3339 in UTC with milliseconds; these strings sort
/// in time order.
pub fn stamp(t: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&f)
        .unwrap_or_default()
}

/// The local time zone, for showing times (they are stored in UTC): `TZ`
/// when set (a zone name such as `Asia/Shanghai` or a POSIX rule such as
/// `CST-8`), else the system's (`/etc/localtime`), else UTC. Read through
/// `jiff` from the system's zoneinfo; no network, no bundled database.
pub fn local_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A stored time (RFC 3339) as a person reads it in zone `tz`, with the
/// year and the zone's offset: `2024-03-01 17:00:05 +08:00`, or, `short`,
/// `2024-03-01 17:00+08:00`. `None` when `t` is not an RFC 3339 time.
pub fn show_in(t: &str, tz: &jiff::tz::TimeZone, short: bool) -> Option<String> {
    let ts: jiff::Timestamp = t.parse().ok()?;
    let z = ts.to_zoned_datetime(tz.clone());
    let f = if short {
        "%Y-%m-%d %H:%M%:z"
    } else {
        "%Y-%m-%d %H:%M:%S %:z"
    };
    Some(z.strftime(f).to_string())
}

/// [`show_in`] in the local zone, or `t` itself when it is not a time.
pub fn show_local(t: &str) -> String {
    show_in(t, &local_zone(), false).unwrap_or_else(|| t.to_string())
}

/// Parses an RFC 3339 time.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_clock_advances_and_formats() {
        let c = Clock::stepping("2024-03-01T09:00:00Z", 1500).expect("valid");
        assert_eq!(c.stamp(), "2024-03-01T09:00:00.000Z");
        assert_eq!(c.stamp(), "2024-03-01T09:00:01.500Z");
        assert!(Clock::stepping("yesterday", 1).is_err());
    }

    #[test]
    fn times_are_shown_local_with_the_year_and_offset() {
        let cst = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
        let t = "2024-12-31T17:00:05.000Z";
        assert_eq!(
            show_in(t, &cst, false).as_deref(),
            Some("2025-01-01 01:00:05 +08:00")
        );
        assert_eq!(
            show_in(t, &cst, true).as_deref(),
            Some("2025-01-01 01:00+08:00")
        );
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            show_in(t, &utc, false).as_deref(),
            Some("2024-12-31 17:00:05 +00:00")
        );
        assert_eq!(show_in("soon", &utc, false), None);
        let posix = jiff::tz::TimeZone::posix("CST-8").expect("a POSIX rule");
        assert_eq!(
            show_in(t, &posix, true).as_deref(),
            Some("2025-01-01 01:00+08:00")
        );
    }
}
