"""The alarm-centre part of the demo city: every alarm panel the registry seeded gets its DC-09
account (the registry already numbered them 000001, 000002, ...), and a short history of the last
week: burglaries with their restores, closed as real or false, a fire drill, periodic tests, and a
few alarms still open in the operators' queue.

Demo panels are not supervised (interval 0): no real panel reports to a demo centre, and a
supervised one would raise a trouble an hour after `jifang up`. Give an account an interval on its
page to watch supervision work. Rows are bulk-inserted; nothing here is a violation of any clause.
"""
import datetime as dt

from jifang.registry.models import Device, DeviceKind

from .codes import ACTION, PRIORITY, decode
from .models import AlarmAccount, AlarmEvent, Disposition, DispatchTarget, EventStatus

HISTORY_PANELS = 40  # panels with a history (the first ones, so a small city has some too)
OPEN_ALARMS = 3


def seed(ctx) -> None:
    panels = list(Device.objects.filter(kind=DeviceKind.ALARM_PANEL).exclude(dc09_account="")
                  .order_by("id").values("id", "system_id", "site_id", "unit_id", "district_id", "dc09_account"))
    accounts = [AlarmAccount(device_id=p["id"], system_id=p["system_id"], site_id=p["site_id"], unit_id=p["unit_id"],
                             district_id=p["district_id"], account=p["dc09_account"], supervision_seconds=0)
                for p in panels]
    AlarmAccount.objects.bulk_create(accounts, batch_size=2000)
    ctx.created(accounts)
    events = _history(ctx, accounts[:HISTORY_PANELS])
    AlarmEvent.objects.bulk_create(events, batch_size=2000)
    ctx.created(events)


def _event(account: AlarmAccount, token: str, data: str, at: dt.datetime, n: int) -> AlarmEvent:
    d = decode(token, data)
    needs_action = d.category in ACTION and d.qualifier == "new"
    return AlarmEvent(device_id=account.device_id, system_id=account.system_id, site_id=account.site_id,
                      unit_id=account.unit_id, district_id=account.district_id, account=account, received_at=at,
                      transport="tcp", source="demo", receiver="demo", token=token, seq=f"{n % 9999 + 1:04d}",
                      data=data, dedupe=f"demo:{account.pk}:{n}", protocol=d.protocol, code=d.code,
                      qualifier=d.qualifier, label_zh=d.label_zh, label_en=d.label_en, category=d.category,
                      priority=PRIORITY[d.category], partition=d.partition, zone=d.zone, user_number=d.user,
                      status=EventStatus.NEW if needs_action else EventStatus.LOGGED)


def _history(ctx, accounts: list[AlarmAccount]) -> list[AlarmEvent]:
    rng = ctx.rng
    end = dt.datetime.combine(ctx.today, dt.time(8, 0), tzinfo=dt.UTC)
    events, n = [], 0
    for account in accounts:
        acct = account.account
        for day in range(7, 0, -1):
            at = end - dt.timedelta(days=day, minutes=rng.randrange(600))
            n += 1
            events.append(_event(account, "ADM-CID", f"#{acct}|1602 00 000", at, n))  # the daily periodic test
            if rng.random() < 0.15:
                zone = f"{rng.randrange(1, 17):03d}"
                alarm = _event(account, "ADM-CID", f"#{acct}|1130 01 {zone}", at + dt.timedelta(hours=3), n + 1)
                restore = _event(account, "ADM-CID", f"#{acct}|3130 01 {zone}", at + dt.timedelta(hours=3, minutes=4),
                                 n + 2)
                _handled(alarm, rng)
                alarm.restored_at = restore.received_at
                events += [alarm, restore]
                n += 2
    for i, account in enumerate(accounts[:OPEN_ALARMS]):
        n += 1
        code = ["1130 01 005", "1110 01 002", "1137 01 011"][i]
        events.append(_event(account, "ADM-CID", f"#{account.account}|{code}", end - dt.timedelta(minutes=5 + i), n))
    return events


def _handled(alarm: AlarmEvent, rng) -> None:
    """Closed by the city centre: most burglary alarms are false (a door left open, a pet)."""
    alarm.status = EventStatus.CLOSED
    alarm.acknowledged_at = alarm.received_at + dt.timedelta(seconds=rng.randrange(10, 50))
    alarm.verified_at = alarm.acknowledged_at + dt.timedelta(seconds=rng.randrange(30, 120))
    real = rng.random() < 0.2
    alarm.verification = "电话联系值班人员，现场有异常" if real else "电话联系值班人员，确认为员工误触发"
    if real:
        alarm.dispatched_at = alarm.verified_at + dt.timedelta(seconds=30)
        alarm.dispatched_to = DispatchTarget.DISTRICT_POLICE
    alarm.closed_at = alarm.verified_at + dt.timedelta(minutes=rng.randrange(5, 40))
    alarm.disposition = Disposition.REAL if real else Disposition.FALSE
