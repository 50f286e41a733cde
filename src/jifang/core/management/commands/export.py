"""`jifang export FILE [--as USERNAME] [--without-ids] [--template]`: the import format, JSON or
xlsx by the file's extension, holding what the user sees (without --as, the system: everything).
An export imports back unchanged; --without-ids writes rows that create rather than update
(to load them into another instance)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jifang.core import dataset
from jifang.core.i18n import bilingual

from ..actors import actor_for
from ..progress import progress_bar


class Command(BaseCommand):
    help = "Export the registry as a dataset (JSON or xlsx) / 导出数据集"

    def add_arguments(self, parser):
        parser.add_argument("file", help="*.json or *.xlsx")
        parser.add_argument("--as", dest="as_user", help="export what this user sees")
        parser.add_argument("--without-ids", action="store_true", help="no id column: rows create on import")
        parser.add_argument("--template", action="store_true", help="headers and column notes only")

    def handle(self, *args, **options):
        path = Path(options["file"])
        fmt = {".json": "json", ".xlsx": "xlsx"}.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(bilingual("文件名应以 .json 或 .xlsx 结尾", "the file name must end in .json or .xlsx"))
        actor = actor_for(options["as_user"])
        with path.open("wb") as out, progress_bar(bilingual("导出", "export")) as progress:
            counts = dataset.dataset_export(actor=actor, out=out, fmt=fmt, with_ids=not options["without_ids"],
                                            template=options["template"], progress=progress)
        self.stdout.write(f"{path}: {counts}")
