"""Rewrite a format-3 result file in place as smab 0.2.0 wrote it (format
2): fixed-length string attributes, /points in doubles and HDF5 enums
without a label, no dimension scales, descriptions or sweep attributes.

    /usr/bin/python3 tests/python/format2.py FILE.h5
"""
import sys, zlib
import h5py, numpy as np


def rewrite(path):
    with h5py.File(path, "r+") as f:
        for k, v in list(f.attrs.items()):
            if isinstance(v, str):
                f.attrs.create(k, np.bytes_(v.encode()))
        f.attrs["format"] = np.int64(2)
        f.attrs["smab_version"] = np.bytes_(b"0.2.0")
        for k in ("sweep_axes", "sweep_shape", "sweep_params", "sweep_axis"):
            if k in f.attrs:
                del f.attrs[k]
        def strip(name, obj):
            for a in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "description", "units"):
                if a in obj.attrs:
                    del obj.attrs[a]
        f.visititems(strip)
        for k in ("point", "replication", "checkpoint", "sweep"):
            del f[k]
        old = f["points"][()]
        fields = [("id", "<i8")]
        for n in old.dtype.names:
            if n in ("id", "label"):
                continue
            t = old.dtype[n]
            if t.kind == "S" and n == "noise":
                fields.append((n, h5py.enum_dtype({"gaussian": 0, "bernoulli": 1}, basetype="<i4")))
            elif t.kind == "S":
                fields.append((n, t))
            else:
                fields.append((n, "<f8"))
        new = np.zeros(len(old), dtype=np.dtype(fields))
        for n in new.dtype.names:
            if n == "noise":
                new[n] = [{b"gaussian": 0, b"bernoulli": 1}[v] for v in old[n]]
            else:
                new[n] = old[n]
        del f["points"]
        f.create_dataset("points", data=new)
        f.attrs["points_crc32"] = np.uint32(zlib.crc32(new.tobytes()))


if __name__ == "__main__":
    rewrite(sys.argv[1])
