"""The video gateway's periodic work that needs no SIP session (jifang.jobs.schedule)."""
import datetime as dt

from django.conf import settings

from jifang.jobs.schedule import every, periodic


@periodic("video.offline_sweep", every(seconds=15), title=("视频设备离线巡检", "Video device offline sweep"),
          enabled=lambda: getattr(settings, "JIFANG_SCHEDULE_VIDEO_SWEEP", True))
def offline_sweep(now):
    """Devices silent for JIFANG_SIP_KEEPALIVE_MISSED keepalive intervals, or whose registration
    expired, go offline (and their outage opens) even when no gateway process is running."""
    from .services import sweep

    silence = dt.timedelta(seconds=settings.JIFANG_SIP_KEEPALIVE_SECONDS * settings.JIFANG_SIP_KEEPALIVE_MISSED)
    return len(sweep(now=now, silence=silence, node="scheduler"))
