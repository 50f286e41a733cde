"""`jifang import FILE [--dry-run] [--as USERNAME]`: import a JSON or xlsx dataset, all or nothing.

Without --as the import runs as the system (the console operator is trusted, as for `jifang seed`);
with --as it has exactly that user's rights and scope. Bad rows are listed and nothing is written."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jifang.core import dataset
from jifang.core.i18n import bilingual

from ..actors import actor_for
from ..progress import progress_bar

SHOWN_ERRORS = 1000


class Command(BaseCommand):
    help = "Import a dataset (JSON or xlsx), all or nothing / 导入数据集（全部成功或全部不导入）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--as", dest="as_user", help="import with this user's rights and scope")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(bilingual("找不到文件：{p}", "no such file: {p}", p=path))
        try:
            with progress_bar(bilingual("导入", "import")) as progress:
                result = dataset.dataset_import(actor=actor_for(options["as_user"]), data=path.read_bytes(),
                                                dry_run=options["dry_run"], filename=path.name, progress=progress)
        except dataset.DatasetError as exc:
            raise CommandError(exc.text) from exc
        for error in result.errors[:SHOWN_ERRORS]:
            self.stderr.write(str(error))
        if len(result.errors) > SHOWN_ERRORS:
            self.stderr.write(bilingual("……另有{n}处错误", "... and {n} more errors", n=len(result.errors) - SHOWN_ERRORS))
        if result.errors:
            raise CommandError(bilingual("{n}处错误，未导入任何数据", "{n} errors; nothing was imported", n=len(result.errors)))
        verb = bilingual("检查通过（未写入）", "check passed (nothing written)") if result.dry_run else bilingual("已导入", "imported")
        self.stdout.write(f"{verb}: created {result.created} updated {result.updated} unchanged {result.unchanged}")
