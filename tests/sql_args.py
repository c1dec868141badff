#!/usr/bin/python3
"""sql_args.py: check that every store_run/store_stmt/store_int call in the C
sources binds exactly as many arguments (its format string) as its SQL has
parameters. A mismatch is undefined behaviour in a varargs call, which the
compiler cannot see."""
import glob
import re
import sys

CALL = re.compile(r'\bstore_(?:run|stmt|int)\(')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def arguments(src, start):
    """The text between the parenthesis at start and its match, skipping
    parentheses inside string literals."""
    depth, i, in_str = 0, start, False
    while i < len(src):
        c = src[i]
        if in_str:
            if c == '\\':
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return src[start + 1:i]
        i += 1
    return ''


def main():
    bad = checked = 0
    for path in sorted(glob.glob('daemon/*.c')):
        src = open(path, encoding='utf-8').read()
        for m in CALL.finditer(src):
            line = src.count('\n', 0, m.start()) + 1
            sql, fmt = '', None
            for lit in LITERAL.findall(arguments(src, m.end() - 1)):
                if sql and re.fullmatch(r'[tTbin]*', lit):
                    fmt = lit
                    break
                sql += lit
            if not sql:
                continue  # a wrapper passing its own sql/fmt through
            params = max([int(n) for n in re.findall(r'\?(\d+)', sql)] or [0])
            checked += 1
            if fmt is None or len(fmt) != params:
                bad += 1
                print(f'{path}:{line}: format "{fmt}" binds {len(fmt or "")} '
                      f'arguments, the SQL has {params} parameters')
    print(f'sql_args: {checked} statements checked, {bad} mismatched')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
