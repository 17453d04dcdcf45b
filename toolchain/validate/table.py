"""validate.json as the terminal's table and its one-line verdict."""


def headers(r: dict) -> list[str]:
    return ["#", "op", "output", "device vs host", "SQNR vs float"]


def _cell(row: dict) -> str:
    if row["status"] == "not received":
        return "not received"
    part = "" if row["samples"] == row["samples_asked"] else f" ({row['samples']}/{row['samples_asked']} samples)"
    if row["status"] == "identical":
        return "identical" + part
    return (f"max |diff| {row['max_abs_diff_lsb']} LSB in {row['samples'] - row['identical_samples']}/"
            f"{row['samples']} samples{part and ', rest not received'}")


def rows(r: dict) -> list[list[str]]:
    return [[str(l["index"]), l["op"], "x".join(map(str, l["shape"])), _cell(l),
             "-" if l["sqnr_db"] is None else f"{l['sqnr_db']:.1f} dB"] for l in r["layers"]]


def verdict(r: dict) -> tuple[bool, str]:
    """(all identical, what to say)."""
    first = r["first_difference"]
    if first:
        e = first["first_differing_element"]
        return False, (f"first difference: layer {first['index']} ({first['op']}, tensor '{first['tensor']}'): "
                       f"max |diff| {first['max_abs_diff_lsb']} LSB; in sample {first['first_differing_sample']} at "
                       f"{e['at']} the device has {e['device']}, the host {e['host']}; every layer before it is "
                       "identical")
    missing = [l["index"] for l in r["layers"] if l["status"] == "not received"]
    if missing:
        return False, (f"layers {missing[0]}..{missing[-1]} not received; the {len(r['layers']) - len(missing)} "
                       "layers received are identical to the host")
    return True, f"all {len(r['layers'])} layers identical to the host reference on {r['samples_received']} samples"
