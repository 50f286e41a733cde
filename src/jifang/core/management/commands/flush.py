"""`jifang flush` (and test teardown): Django's flush, with the row guards lifted on SQLite.

SQLite empties tables with `DELETE FROM`, which the guards (core.guards) would refuse; PostgreSQL
uses TRUNCATE, which row triggers do not see. Emptying every table is an operator's act, like
deleting the database file: the guards are lifted for this command's statements only and put back
afterwards, and every row-wise UPDATE or DELETE stays refused.
"""
from django.core.management.commands import flush
from django.db import connections

from jifang.core import guards


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with guards.suspended(connection):
            return super().handle(**options)
