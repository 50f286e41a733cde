from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jifang.jobs"
    label = "jobs"
    verbose_name = "后台任务 Background jobs"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # every installed app's jobs.py declares its periodic jobs (schedule.periodic)
        autodiscover_modules("jobs")
