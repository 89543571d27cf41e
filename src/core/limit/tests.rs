use super::*;

fn ip(text: &str) -> u128 {
    address(text.parse().unwrap())
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn allows_max_per_window_per_address() {
    let limiter = Limiter::new(2, secs(60));
    let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
    let t0 = Instant::now();
    limiter.reserve(a, t0).unwrap().confirm();
    limiter.reserve(a, t0 + secs(1)).unwrap().confirm();
    let wait = limiter.reserve(a, t0 + secs(2)).err().unwrap();
    assert_eq!(wait, secs(58));
    assert!(limiter.reserve(b, t0 + secs(2)).is_ok());
    // The first hit has left the window, the second not yet.
    assert_eq!(limiter.count(a, t0 + secs(60)), Ok(2));
    assert_eq!(limiter.count(a, t0 + secs(60)), Err(secs(1)));
}

#[test]
fn the_window_slides_so_there_is_no_burst_at_its_edge() {
    let limiter = Limiter::new(2, secs(60));
    let a = ip("192.0.2.1");
    let t0 = Instant::now();
    limiter.count(a, t0).unwrap();
    assert_eq!(limiter.count(a, t0 + secs(59)), Ok(2));
    // A window counted from the first hit would start afresh here.
    assert_eq!(limiter.count(a, t0 + secs(60)), Ok(2));
    assert_eq!(limiter.count(a, t0 + secs(61)), Err(secs(58)));
}

#[test]
fn only_confirmed_reservations_stay_counted() {
    let limiter = Limiter::new(2, secs(60));
    let a = ip("192.0.2.1");
    let t0 = Instant::now();
    // Ten forms sent back with errors use up nothing.
    for i in 0..10 {
        let r = limiter.reserve(a, t0 + secs(i)).unwrap();
        drop(r);
    }
    // Two in progress at once fill the limit until they end.
    let first = limiter.reserve(a, t0 + secs(10)).unwrap();
    let second = limiter.reserve(a, t0 + secs(10)).unwrap();
    assert!(limiter.reserve(a, t0 + secs(11)).is_err());
    drop(second);
    let third = limiter.reserve(a, t0 + secs(12)).unwrap();
    first.confirm();
    third.confirm();
    assert!(limiter.reserve(a, t0 + secs(13)).is_err());
}

#[test]
fn ipv6_addresses_count_by_their_64() {
    let limiter = Limiter::new(1, secs(60));
    let t0 = Instant::now();
    limiter.count(ip("2001:db8:1:2::1"), t0).unwrap();
    // Same /64, another interface identifier: the same subscriber.
    assert!(
        limiter
            .count(ip("2001:db8:1:2:ffff:eeee:dddd:cccc"), t0)
            .is_err()
    );
    // The next /64: someone else.
    assert!(limiter.count(ip("2001:db8:1:3::1"), t0).is_ok());
    // An IPv4-mapped address is the IPv4 address.
    limiter.count(ip("192.0.2.9"), t0).unwrap();
    assert!(limiter.count(ip("::ffff:192.0.2.9"), t0).is_err());
    assert!(limiter.count(ip("::ffff:192.0.2.10"), t0).is_ok());
}

#[test]
fn pruning_is_amortised_past_ten_thousand_keys() {
    let limiter = Limiter::new(5, secs(600));
    let t0 = Instant::now();
    for i in 0..=PRUNE_AT as u32 {
        limiter.count(i, t0).unwrap();
    }
    // One more check finds 10,001 keys, all active: one pass.
    for i in 0..1000 {
        limiter.count(i, t0).unwrap();
    }
    let prunes = |l: &Limiter<u32>| l.lock().prunes;
    assert_eq!(prunes(&limiter), 1, "not a pass on every check");
    // Once the window has passed, the next pass (at twice the size) drops them.
    let later = t0 + secs(601);
    let fresh = PRUNE_AT as u32 + 3;
    for i in 0..fresh {
        limiter.count(100_000 + i, later).unwrap();
    }
    assert_eq!(prunes(&limiter), 2);
    assert_eq!(
        limiter.lock().keys.len(),
        fresh as usize,
        "only the active ones are left"
    );
}

#[test]
fn a_full_table_refuses_new_keys_until_some_expire() {
    let limiter = Limiter::new(5, secs(600)).at_most(1000);
    let start = Instant::now();
    for i in 0..1000 {
        assert!(limiter.count(format!("T{i}"), start).is_ok());
    }
    let soon = start + secs(5);
    assert_eq!(limiter.count("new".to_string(), soon), Err(secs(600)));
    assert!(
        limiter.count("T1".to_string(), soon).is_ok(),
        "counted ones go on"
    );
    assert!(limiter.count("new".to_string(), start + secs(600)).is_ok());
}

#[test]
fn reaching_max_locks_the_key_when_asked() {
    let limiter = Limiter::new(3, secs(60)).locking(secs(600));
    let t0 = Instant::now();
    assert_eq!(limiter.check(&1u8, t0), Ok(None));
    assert_eq!(limiter.count(1u8, t0), Ok(1));
    assert_eq!(limiter.check(&1u8, t0 + secs(10)), Ok(Some(secs(50))));
    limiter.count(1, t0 + secs(1)).unwrap();
    assert_eq!(limiter.count(1, t0 + secs(2)), Ok(3));
    // Locked for ten minutes from the hit that reached the limit, well
    // past the window of the hits.
    assert_eq!(limiter.check(&1, t0 + secs(302)), Err(secs(300)));
    assert_eq!(limiter.count(1, t0 + secs(302)), Err(secs(300)));
    assert_eq!(limiter.check(&1, t0 + secs(602)), Ok(None));
    assert_eq!(limiter.count(1, t0 + secs(602)), Ok(1));
    limiter.clear(&1);
    assert_eq!(limiter.check(&1, t0 + secs(602)), Ok(None));
}

#[test]
fn zero_means_off() {
    let limiter = Limiter::new(0, secs(60));
    let a = "192.0.2.1".parse().unwrap();
    for _ in 0..100 {
        limiter.reserve_ip(a).unwrap().confirm();
    }
}
