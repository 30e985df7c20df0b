# report.awk: the tables of `make bench` (tests/bench/run).
#
# By default, from a results file: one line per wrk run, "label|round|req/s
# median-ms p99-ms requests non2xx socket-errors". Per label (in first-seen
# order) the best round (most requests/s) is shown with its latencies, then
# the ratio of its requests/s to the best of hello's (the -v hello=LABEL
# line), then every round's requests/s to show the noise.
#
# With -v mode=growth, from the growth file: "SIZE|label|round|fields" lines
# (the results of each size) and "bound|label|SIZE" lines (where issue 4
# wants the median under -v bound_ms). Per label, the median (and req/s)
# of its best round at each size, the growth of the median from the first
# size to the last, and the bound: "ok" or "OVER" at its size (a label
# without one whose median at the last size is over bound_ms says so).
BEGIN { FS = "|" }
mode == "growth" && $1 == "bound" { bound[$2] = $3; next }
mode == "growth" {
    s = $1; l = $2
    if (!(s in sseen)) { sseen[s] = 1; sizes[++ns] = s }
    if (!(l in lseen)) { lseen[l] = 1; order[++n] = l }
    split($4, f, " ")
    k = s SUBSEP l
    if (!(k in best) || f[1] + 0 > best[k]) { best[k] = f[1] + 0; med[k] = f[2] }
    next
}
{
    split($3, f, " ")
    if (!($1 in best)) { order[++n] = $1; best[$1] = -1 }
    all[$1] = all[$1] (all[$1] == "" ? "" : " ") sprintf("%.0f", f[1])
    if (f[1] + 0 > best[$1]) { best[$1] = f[1] + 0; med[$1] = f[2]; p99[$1] = f[3] }
}
function lat(ms) { return ms < 1 ? sprintf("%.0fus", ms * 1000) : sprintf("%.2fms", ms) }
function width(   i, w) {
    w = 26
    for (i = 1; i <= n; i++) if (length(order[i]) > w) w = length(order[i])
    return w
}
END {
    w = width()
    if (mode == "growth") {
        printf "%-" w "s", "endpoint"
        for (j = 1; j <= ns; j++) printf "  %18s", sizes[j]
        printf "  %7s  %s\n", "growth", "bound"
        for (i = 1; i <= n; i++) {
            l = order[i]
            printf "%-" w "s", l
            for (j = 1; j <= ns; j++) {
                k = sizes[j] SUBSEP l
                if (k in best)
                    printf "  %18s", sprintf("%s (%.0f/s)", lat(med[k]), best[k])
                else
                    printf "  %18s", "-"
            }
            a = sizes[1] SUBSEP l; z = sizes[ns] SUBSEP l
            g = (a in med) && (z in med) && med[a] > 0 ? sprintf("x%.1f", med[z] / med[a]) : "-"
            b = "-"
            if (l in bound) {
                k = bound[l] SUBSEP l
                nb++
                if (!(k in med))
                    b = "not measured at " bound[l]
                else if (med[k] < bound_ms) {
                    b = sprintf("ok at %s", bound[l]); nok++
                } else {
                    b = sprintf("OVER at %s", bound[l])
                    over = over sprintf("\n  %s at %s: %s", l, bound[l], lat(med[k]))
                }
            } else if ((z in med) && med[z] >= bound_ms)
                b = sprintf("(none; over %s ms at %s)", bound_ms, sizes[ns])
            printf "  %7s  %s\n", g, b
        }
        if (nb > 0 && nok == nb)
            printf "Issue 4: all %d bounded medians are under %s ms.\n", nb, bound_ms
        else if (nb > 0)
            printf "Issue 4: %d of %d bounded medians are under %s ms; over it:%s\n",
                nok, nb, bound_ms, over == "" ? " (the others were not measured)" : over
        exit 0
    }
    ref = (hello in best) ? best[hello] : 0
    printf "%-" w "s %9s %9s %9s %7s   %s\n", "endpoint", "req/s", "median", "p99", "ratio",
        "req/s per round"
    for (i = 1; i <= n; i++) {
        l = order[i]
        ratio = "-"
        if (ref > 0) ratio = sprintf("%.2f", best[l] / ref)
        printf "%-" w "s %9.0f %9s %9s %7s   %s\n", l, best[l], lat(med[l]), lat(p99[l]),
            ratio, all[l]
    }
}
