"""SQL functions that differ between the production database and the embedded one."""

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class substring_at(FunctionElement):  # named like the SQL functions it stands for
    """1-based position of a literal substring in a string, 0 when absent (strpos / instr)."""

    type = Integer()
    inherit_cache = True


@compiles(substring_at)
def _instr(element, compiler, **kw):
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(substring_at, "postgresql")
def _strpos(element, compiler, **kw):
    return f"strpos({compiler.process(element.clauses, **kw)})"
