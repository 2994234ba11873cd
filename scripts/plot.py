#!/usr/bin/python3
"""Faceted figures of a smab result file: see scripts/smab/plot.py, or run
with --help.  Needs Debian's python3-h5py, python3-numpy, python3-xarray,
python3-pandas and python3-matplotlib (run it with /usr/bin/python3)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from smab.plot import main
except ImportError as e:
    sys.exit("plot.py: %s: install Debian's python3-h5py python3-xarray python3-pandas "
             "python3-matplotlib and run it with /usr/bin/python3" % e)

if __name__ == "__main__":
    sys.exit(main())
