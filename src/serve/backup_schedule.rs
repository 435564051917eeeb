//! When the server writes its daily backup. A backup holds the store's write lock while it reads
//! every tree (on ten years of data about 8 s, in which every save waits), so it runs at night:
//! at 02:00 office time, and at start only when the newest backup is a day old or there is none
//! (a restart during office hours does not make the clerks wait).

use chrono::{DateTime, Days, Local, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The hour of the night the daily backup is written, office time.
pub const BACKUP_HOUR: u32 = 2;

/// When the backup after a (re)start is due: now when the newest backup is 24 hours old or
/// there is none (or its time is after now: a clock set back), else the next night.
pub fn first_backup<Tz: TimeZone>(now: DateTime<Tz>, newest: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let now_utc = now.with_timezone(&Utc);
    match newest {
        Some(newest) if newest <= now_utc && now_utc - newest < chrono::TimeDelta::hours(24) => next_night(now),
        _ => now_utc,
    }
}

/// The first 02:00 office time after `now`.
pub fn next_night<Tz: TimeZone>(now: DateTime<Tz>) -> DateTime<Utc> {
    let zone = now.timezone();
    let at = NaiveTime::from_hms_opt(BACKUP_HOUR, 0, 0).unwrap_or(NaiveTime::MIN);
    let mut day = now.naive_local().date();
    // Two days ahead at most; a day whose 02:00 does not exist (a clock change) takes the
    // earliest valid time after it.
    for _ in 0..3 {
        if let Some(when) = local_time(&zone, day.and_time(at))
            && when > now.with_timezone(&Utc)
        {
            return when;
        }
        day = day.checked_add_days(Days::new(1)).unwrap_or(day);
    }
    now.with_timezone(&Utc) + chrono::TimeDelta::hours(24)
}

fn local_time<Tz: TimeZone>(zone: &Tz, at: NaiveDateTime) -> Option<DateTime<Utc>> {
    let resolved = zone.from_local_datetime(&at);
    resolved
        .earliest()
        .or_else(|| zone.from_local_datetime(&(at + chrono::TimeDelta::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// The time a backup file was written, from its name (`sidw-YYYYMMDD-HHMMSS.sidwbak`, UTC).
pub fn written_at(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.strip_prefix("sidw-")?.strip_suffix(".sidwbak")?;
    if stamp.len() != "YYYYMMDD-HHMMSS".len() {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok().map(|t| t.and_utc())
}

/// The newest backup in `dir` by its name's time (none when the directory cannot be read).
pub fn newest_backup(dir: &std::path::Path) -> Option<DateTime<Utc>> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(written_at))
        .max()
}

/// The local office time now.
pub fn now() -> DateTime<Local> {
    Local::now()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn amsterdam_winter(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn a_restart_during_the_day_waits_for_the_night_when_a_backup_is_younger_than_a_day() {
        let now = amsterdam_winter(2026, 11, 30, 10, 0); // 09:00 UTC
        // Last night's backup at 02:00 office time (01:00 UTC): 8 hours old.
        assert_eq!(first_backup(now, Some(utc(2026, 11, 30, 1, 0))), utc(2026, 12, 1, 1, 0));
        // 23 h 59 min old: still waits; 24 h old: now.
        assert_eq!(first_backup(now, Some(utc(2026, 11, 29, 9, 1))), utc(2026, 12, 1, 1, 0));
        assert_eq!(first_backup(now, Some(utc(2026, 11, 29, 9, 0))), utc(2026, 11, 30, 9, 0));
    }

    #[test]
    fn no_backup_or_one_from_the_future_means_now() {
        let now = amsterdam_winter(2026, 11, 30, 10, 0);
        assert_eq!(first_backup(now, None), utc(2026, 11, 30, 9, 0));
        assert_eq!(first_backup(now, Some(utc(2026, 11, 30, 9, 1))), utc(2026, 11, 30, 9, 0));
    }

    #[test]
    fn the_next_night_is_after_now_on_both_sides_of_two_o_clock() {
        assert_eq!(next_night(amsterdam_winter(2026, 11, 30, 1, 59)), utc(2026, 11, 30, 1, 0));
        assert_eq!(next_night(amsterdam_winter(2026, 11, 30, 2, 0)), utc(2026, 12, 1, 1, 0));
        assert_eq!(next_night(amsterdam_winter(2026, 12, 31, 23, 0)), utc(2027, 1, 1, 1, 0));
    }

    #[test]
    fn backup_names_give_their_time_and_others_none() {
        assert_eq!(written_at("sidw-20261130-013000.sidwbak"), Some(utc(2026, 11, 30, 1, 30)));
        assert_eq!(written_at("sidw-20261130-013000.sidwbak.tmp"), None);
        assert_eq!(written_at("notes.txt"), None);
        assert_eq!(written_at("sidw-2026113-013000.sidwbak"), None);
    }
}
