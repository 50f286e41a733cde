"""The dataset engine: import and export of registered sheets, in JSON and in Excel (.xlsx).

An app registers one `Sheet` per model it owns (see registry/dataset.py), in the order they must
be imported (a sheet may refer only to sheets registered before it). A sheet's columns are built
from the model's fields: text, integer, yes/no, date, choice, division code, or a reference to
another row by its natural key (credit code, site code, brand + model, ...).

Import is all-or-nothing and set-based, so that 100,000 rows fit in seconds:
  1. every cell is parsed and checked in Python (type, choices, length, the field's validators);
  2. references, ids and uniqueness are checked with one query per chunk of keys per sheet;
  3. the rows of a sheet are written with `bulk.insert_objects` (one compiled multi-row INSERT per
     batch) / bulk_update and audited with `audit.record_many` / `audit.record_updates` (before and
     after), in one transaction for the whole file.
Any bad row (or a dry run) rolls the whole transaction back; the report lists every bad cell with
sheet, row, column and a bilingual reason. Rights are those of the services: the actor must be
allowed to write the model, only rows inside their area are written, police-only fields are
refused to others, and the sheet's `prepare` hook runs the app's own per-object rules (the copied
district/unit/site columns, art_14 para 2...).

Export writes the same format from `visible(actor, ...)`, so an export imports back unchanged.
"""
from .base import SYSTEM, DatasetError, ImportResult, Progress, RowError
from .columns import Column, Ref
from .exporter import dataset_export, describe, export_rows
from .importer import dataset_import
from .readers import check_size, read_dataset
from .registration import Sheet, columns_for, ref_to, register, sheets

__all__ = ["SYSTEM", "Column", "DatasetError", "ImportResult", "Progress", "Ref", "RowError", "Sheet", "check_size", "columns_for",
           "dataset_export", "dataset_import", "describe", "export_rows", "read_dataset", "ref_to", "register",
           "sheets"]
