# report.awk: the table of `make bench` (tests/bench/run), from its results
# file: one line per wrk run, "label|round|req/s median-ms p99-ms requests
# non2xx socket-errors". Per label (in first-seen order) the best round (most
# requests/s) is shown with its latencies, then the ratio of its requests/s
# to the best of hello's (the -v hello=LABEL line), then every round's
# requests/s to show the noise.
BEGIN { FS = "|" }
{
    split($3, f, " ")
    if (!($1 in best)) { order[++n] = $1; best[$1] = -1 }
    all[$1] = all[$1] (all[$1] == "" ? "" : " ") sprintf("%.0f", f[1])
    if (f[1] + 0 > best[$1]) { best[$1] = f[1] + 0; med[$1] = f[2]; p99[$1] = f[3] }
}
function lat(ms) { return ms < 1 ? sprintf("%.0fus", ms * 1000) : sprintf("%.2fms", ms) }
END {
    ref = (hello in best) ? best[hello] : 0
    printf "%-26s %9s %9s %9s %7s   %s\n", "endpoint", "req/s", "median", "p99", "ratio", "req/s per round"
    for (i = 1; i <= n; i++) {
        l = order[i]
        ratio = "-"
        if (ref > 0) ratio = sprintf("%.2f", best[l] / ref)
        printf "%-26s %9.0f %9s %9s %7s   %s\n", l, best[l], lat(med[l]), lat(p99[l]),
            ratio, all[l]
    }
}
