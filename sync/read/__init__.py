"""Read stage: a workbook (.xlsx), a folder of .csv files, or Google spreadsheets -> Workbook of text tables."""
from __future__ import annotations

from pathlib import Path

from ..errors import SourceError
from .table import Column, RawTable, Workbook


def read_source(path: str | Path) -> Workbook:
    """Pick the reader by what the path is."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder / 找不到文件或文件夹")
    if path.is_dir():
        from .csv_folder import read_folder
        return read_folder(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from .xlsx import read_workbook
        return read_workbook(path)
    if suffix == ".csv":
        from .csv_folder import read_csv
        return Workbook(source=str(path), tables=[read_csv(path)])
    if suffix in (".yml", ".yaml"):
        from .gsheets import read_google
        return read_google(path)
    raise SourceError(f"{path}: expected an .xlsx workbook, a folder of .csv files or a .csv file "
                      f"/ 应为 .xlsx 工作簿或 .csv 文件夹")


__all__ = ["Column", "RawTable", "Workbook", "read_source"]
