"""my_dc09_spt (PyPI), a panel-side DC-09 transmitter, as the real panel: plain and AES-128/256,
TCP and UDP. Its own reply check (CRC, length, sequence, the *ACK's encrypted time) must pass:
send_msg raises when the answer is not an ACK it accepts."""
import pytest
from my_dc09_spt.dc09_spt import dc09_spt

from jifang.alarms.models import AlarmEvent

from .conftest import KEY_128, KEY_256, make_panel

pytestmark = pytest.mark.clause("art_12")


def send(spt, kind: str, params: dict) -> None:
    """Send one message as a panel does: its UDP path gives up after one second without an answer
    (on a busy shared machine a commit can take longer), and a real panel then sends the same
    message again; the centre ACKs the retransmission and stores it once (asserted below)."""
    for attempt in range(3):
        try:
            spt.send_msg(kind, params)
            return
        except Exception:
            if attempt == 2:
                raise
            spt.msg_nr -= 1  # the same sequence number again: a retransmission


@pytest.mark.parametrize("transport", ["TCP", "UDP"])
@pytest.mark.parametrize("key", ["", KEY_128, KEY_256], ids=["plain", "aes128", "aes256"])
def test_my_dc09_spt_panel(transactional_db, admin_user, receiver, transport, key):
    account = {"": "4001", KEY_128: "4002", KEY_256: "4003"}[key]
    panel = make_panel(admin_user, account, key=key)
    spt = dc09_spt(account)
    spt.set_path("main", "primary", "127.0.0.1", receiver.port, account=account, key=key.encode() or None,
                 receiver=1, line=1, type=transport)
    send(spt, "ADM-CID", {"account": account, "code": 130, "q": 1, "area": 1, "zone": 5})
    send(spt, "SIA-DCS", {"account": account, "code": "FA", "area": 2, "zone": 7})
    send(spt, "ADM-CID", {"account": account, "code": 130, "q": 3, "area": 1, "zone": 5})
    events = list(AlarmEvent.objects.filter(account=panel).order_by("id"))
    assert [(e.code, e.qualifier, e.category, e.zone) for e in events] == [
        ("130", "new", "burglary", "005"), ("FA", "new", "fire", "7"), ("130", "restore", "burglary", "005")]
    assert all(e.encrypted == bool(key) and e.transport == transport.lower() for e in events)
    assert events[2].restores_id == events[0].pk
