"""Execute a notebook with nbclient and the installed "go" kernel.

Usage: execute_notebook.py IN.ipynb OUT.ipynb

Cells tagged raises-exception may fail; any other error fails the run (exit status 1), as
nbclient does by default. Used by kernel/notebooks_test.go.
"""
import sys

import nbclient
import nbformat


def main():
    src, dst = sys.argv[1], sys.argv[2]
    nb = nbformat.read(src, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="go", timeout=300, resources={"metadata": {"path": "."}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, dst)


if __name__ == "__main__":
    main()
