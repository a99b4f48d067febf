"""Tick preparation in pandas: the reference side of bench/ticks/run.ts.

Same rules, in the same order, as src/data/ticks (clean.ts, bars.ts, features.ts, indicators.ts), so both
sides do the same work and their outputs can be compared: CSV -> cleaning (malformed, window, non-positive,
duplicates, out of order, isolated price spikes) -> 1-minute OHLCV bars -> the 11 bar features per symbol.

    python bench/ticks/reference.py <ticks.csv> [interval_ms]

Prints one JSON line: seconds per stage and in total, peak RSS, cleaning counts, bar count, feature rows and
the sum of each feature column (the agreement check).
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

OUTLIER_SIGMAS = 10
MIN_OUTLIER_MOVE = 0.005
MIN_RETURNS_FOR_OUTLIERS = 10
HEADER = ["timestamp", "symbol", "price", "size"]


def read_and_clean(path):
    # The idiomatic fast path: the C parser types price and size itself; only a column holding text falls back
    # to to_numeric. pandas reads '', 'NaN' and 'nan' as NaN alike, so an empty price counts as non-positive
    # here, where clean.ts calls it malformed (the benchmark's synthetic data has neither).
    raw = pd.read_csv(path, dtype={"timestamp": "string", "symbol": "category"}, engine="c")
    if list(raw.columns[:4]) != HEADER:
        raise ValueError(f"{path} line 1: bad header {list(raw.columns)}")
    ts = pd.to_datetime(raw["timestamp"], format="ISO8601", utc=True, errors="coerce")
    number = lambda c: raw[c] if pd.api.types.is_float_dtype(raw[c]) else pd.to_numeric(raw[c], errors="coerce")
    price, size = number("price"), number("size").astype("float64")
    malformed = ts.isna() | raw["symbol"].isna()
    df = pd.DataFrame({"ts": ts.dt.as_unit("ms").astype("int64"), "symbol": raw["symbol"], "price": price, "size": size})
    report = {"rows": len(df), "malformed": int(malformed.sum()), "outsideWindow": 0}
    df = df[~malformed]
    non_positive = ~(df["price"] > 0) | ~(df["size"] > 0)
    report["nonPositive"] = int(non_positive.sum())
    df = df[~non_positive]
    duplicate = df.duplicated(["ts", "symbol", "price", "size"])
    report["duplicates"] = int(duplicate.sum())
    df = df[~duplicate]
    running_max = df.groupby("symbol", sort=False, observed=True)["ts"].cummax()
    latest_before = running_max.groupby(df["symbol"], sort=False, observed=True).shift(1).fillna(-np.inf)
    out_of_order = df["ts"] < latest_before
    report["outOfOrder"] = int(out_of_order.sum())
    df = df[~out_of_order]
    keep = np.ones(len(df), dtype=bool)
    for _, rows in df.groupby("symbol", sort=False, observed=True).indices.items():
        keep[rows] = spike_free(df["price"].to_numpy()[rows])
    report["outliers"] = int((~keep).sum())
    df = df[keep]
    report["kept"] = len(df)
    return df, report


def spike_free(price):
    """The sequential walk of clean.ts, run only where it can flag: a tick is judged against the last kept
    price, which equals the previous price unless the previous tick was flagged. Only ticks whose move from the
    previous price exceeds the limit, or that follow such a tick, can be flagged, so the loop visits just those."""
    keep = np.ones(len(price), dtype=bool)
    if len(price) - 1 < MIN_RETURNS_FOR_OUTLIERS:
        return keep
    returns = np.log(price[1:] / price[:-1])
    dev = np.abs(returns - np.median(returns))
    mad = 1.4826 * np.median(dev)
    limit = max(MIN_OUTLIER_MOVE, OUTLIER_SIGMAS * (mad if mad > 0 else 1.2533 * dev.mean()))
    big = np.zeros(len(price), dtype=bool)
    big[1:] = np.abs(returns) > limit
    candidates = np.flatnonzero(big | np.concatenate(([False], big[:-1])))
    for j in candidates:
        if j == 0:
            continue
        k = j - 1
        while not keep[k]:
            k -= 1
        out = np.log(price[j] / price[k])
        back = np.log(price[j + 1] / price[j]) if j + 1 < len(price) else -out
        if abs(out) > limit and abs(back) > limit and np.sign(back) == -np.sign(out):
            keep[j] = False
    return keep


def to_bars(df, interval_ms):
    df = df.sort_values("ts", kind="stable")
    df = df.assign(start=(df["ts"] // interval_ms) * interval_ms, notional=df["price"] * df["size"])
    g = df.groupby(["symbol", "start"], sort=True, observed=True)
    bars = g.agg(open=("price", "first"), high=("price", "max"), low=("price", "min"), close=("price", "last"),
                 volume=("size", "sum"), notional=("notional", "sum"), trades=("price", "size")).reset_index()
    bars["vwap"] = bars["notional"] / bars["volume"]
    return bars


def seeded_ewm(values, alpha, period):
    """EMA seeded with the mean of the first `period` finite values (as indicators.ts), NaN before."""
    out = np.full(len(values), np.nan)
    finite = np.flatnonzero(np.isfinite(values))
    if len(finite) == 0 or finite[0] + period > len(values):
        return out
    first = finite[0]
    seed = values[first:first + period].mean()
    rest = pd.Series(np.concatenate(([seed], values[first + period:])))
    out[first + period - 1:] = rest.ewm(alpha=alpha, adjust=False).mean().to_numpy()
    return out


def ema(values, period):
    return seeded_ewm(values, 2 / (period + 1), period)


def rsi(close, period=14):
    diff = np.diff(close)
    gain, loss = np.clip(diff, 0, None), np.clip(-diff, 0, None)
    avg_gain = np.concatenate(([np.nan], seeded_ewm(gain, 1 / period, period)))
    avg_loss = np.concatenate(([np.nan], seeded_ewm(loss, 1 / period, period)))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100 - 100 / (1 + avg_gain / avg_loss)
    value = np.where(avg_loss == 0, np.where(avg_gain == 0, 50.0, 100.0), value)
    return np.where(np.isnan(avg_gain), np.nan, value)


def volume_profile(bars, period=30, bins=10, value_area=0.7):
    n = len(bars)
    poc, low_edge, high_edge = (np.full(n, np.nan) for _ in range(3))
    if n < period:
        return poc, low_edge, high_edge
    win = lambda a: np.lib.stride_tricks.sliding_window_view(a, period)
    lo, hi = win(bars["low"].to_numpy()).min(axis=1), win(bars["high"].to_numpy()).max(axis=1)
    vwap, volume = win(bars["vwap"].to_numpy()), win(bars["volume"].to_numpy())
    width = (hi - lo) / bins
    safe = np.where(width > 0, width, 1)
    index = np.clip(np.floor((vwap - lo[:, None]) / safe[:, None]), 0, bins - 1).astype(int)
    profile = np.zeros((len(lo), bins))
    np.add.at(profile, (np.repeat(np.arange(len(lo)), period), index.ravel()), volume.ravel())
    top = profile.argmax(axis=1)
    below, above = top.copy(), top.copy()
    rows = np.arange(len(lo))
    held, total = profile[rows, top], volume.sum(axis=1)
    for _ in range(bins - 1):
        growing = (held < value_area * total) & ((below > 0) | (above < bins - 1))
        down = np.where(below > 0, profile[rows, np.maximum(below - 1, 0)], -1)
        up = np.where(above < bins - 1, profile[rows, np.minimum(above + 1, bins - 1)], -1)
        go_down = growing & (down >= up)
        go_up = growing & ~(down >= up)
        below = below - go_down
        above = above + go_up
        held = held + np.where(go_down, down, 0) + np.where(go_up, up, 0)
    flat = ~(hi > lo)
    poc[period - 1:] = np.where(flat, lo, lo + (top + 0.5) * width)
    low_edge[period - 1:] = np.where(flat, lo, lo + below * width)
    high_edge[period - 1:] = np.where(flat, lo, lo + (above + 1) * width)
    return poc, low_edge, high_edge


def features(bars):
    close = bars["close"].to_numpy()
    volume = bars["volume"].to_numpy()
    s = pd.Series(close)
    log_ret = np.concatenate(([np.nan], np.log(close[1:] / close[:-1])))
    sma = lambda values, p: pd.Series(values).rolling(p).mean().to_numpy()
    macd_line = ema(close, 12) - ema(close, 26)
    signal = ema(macd_line, 9)
    middle = sma(close, 20)
    sd = s.rolling(20).std(ddof=0).to_numpy()
    sd = np.where(sd <= np.finfo(float).eps * np.abs(middle) * 20, 0, sd)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_b = np.where(sd == 0, 0.5, (close - (middle - 2 * sd)) / (4 * sd))
    vol20 = np.sqrt(pd.Series(log_ret ** 2).rolling(20).sum().to_numpy())
    poc, va_low, va_high = volume_profile(bars)
    with np.errstate(divide="ignore", invalid="ignore"):
        va_position = np.where(va_high > va_low, (close - va_low) / (va_high - va_low), 0.5)
    table = np.column_stack([
        log_ret, close / sma(close, 10) - 1, close / sma(close, 30) - 1, rsi(close, 14),
        macd_line / close, signal / close, pct_b, vol20, np.log(volume) - np.log(sma(volume, 20)),
        close / poc - 1, va_position,
    ])
    warm_up = 33  # features.ts: the MACD signal needs 26 + 9 - 1 closes
    return table[warm_up:len(bars) - 1]


def main():
    path = sys.argv[1]
    interval_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 60_000
    seconds = {}
    t = time.perf_counter()
    ticks, report = read_and_clean(path)
    seconds["readClean"] = time.perf_counter() - t
    t = time.perf_counter()
    bars = to_bars(ticks, interval_ms)
    seconds["bars"] = time.perf_counter() - t
    t = time.perf_counter()
    tables = [features(group.reset_index(drop=True)) for _, group in bars.groupby("symbol", sort=True, observed=True)]
    table = np.vstack(tables)
    seconds["features"] = time.perf_counter() - t
    seconds["total"] = sum(seconds.values())
    print(json.dumps({
        "side": "pandas",
        "seconds": seconds,
        "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "report": report,
        "bars": len(bars),
        "featureRows": int(table.shape[0]),
        "featureSums": [float(x) for x in table.sum(axis=0)],
    }))


if __name__ == "__main__":
    main()
