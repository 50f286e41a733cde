from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "jifang.video"
    label = "video"
    verbose_name = "视频联网 Video networking"
