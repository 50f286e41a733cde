from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jifang.accounts"
    label = "accounts"
    verbose_name = "账户与辖区 Accounts and jurisdictions"
