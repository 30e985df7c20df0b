# tests/bench/worst.sh: the worst cases of `make bench`, sourced by
# tests/bench/run after the growth part (it uses run's functions, the
# stack, the token of "bench" and the largest bench/files-N).
#
# Each endpoint's costliest request within its caps (the most paths, rules,
# objects or files one request may carry), beside a normal request of the
# same endpoint, one request at a time: its time (curl's time_total, best
# of BENCH_ROUNDS) and the peak resident memory of the workers while it ran
# (VmHWM, reset through /proc/PID/clear_refs before each request; the
# largest over the workers). Issue 17's targets: no request within the caps
# over 2 s or 256 MiB; 100,000 distinct files in one commit under 5 s. A
# figure over a target says OVER; like a ratio it is information, and only
# a wrong status fails the bench. hello.fcgi's one request, timed the same
# way, is the first line: the floor of one round trip.

WORST_MS=2000
WORST_KB=262144
WORST_COMMIT_MS=5000
WORST_COMMIT_FILES=100000
WORST_RULES=10000	# gitrules.h RULES_MAX
WORST_PATHS=1000	# api_tree.c PATHS_INFO_MAX, api_commit.c PREUPLOAD_MAX
WORST_OBJECTS=1000	# api_lfs.c MAX_OBJECTS
WORST_TREE=10000	# api_tree.c TREE_LIMIT_MAX
WORST_TREE_EXPAND=100	# api_tree.c TREE_LIMIT_EXPAND

# The khub.fcgi workers under the khub lighttpd.
khub_workers() {
    for p in $(children "$khub_lighttpd"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = khub.fcgi ] && echo "$p"
    done
}

# Every worker's peak RSS set back to its current RSS.
peak_reset() {
    for p in $(khub_workers); do
        echo 5 >"/proc/$p/clear_refs" || return 1
    done
}

# The largest peak RSS (kB) of the workers.
peak_kb() {
    for p in $(khub_workers); do
        awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null
    done | sort -n | tail -n 1
}

# base64 of distinct 6-byte contents without a base64 program per line:
# any 8 characters of the base64 alphabet are the encoding of 6 bytes, so
# round r and index i written in that alphabet are distinct contents.
B64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/

# ---- the bodies: each writes $wdir/worst-body and $wdir/worst-hdr, and
# prints the URL. $1 is the round (a commit needs new contents and a new
# repository each time).

w_hello() {
    : >"$wdir/worst-hdr"
    rm -f "$wdir/worst-body"
    echo "http://127.0.0.1:$HELLO_PORT$HELLO_PATH"
}

w_headers() {
    printf 'Authorization: Bearer %s\nContent-Type: %s\n' "$token" "$1" \
        >"$wdir/worst-hdr"
    [ -z "${2:-}" ] || printf 'Accept: %s\n' "$2" >>"$wdir/worst-hdr"
}

# paths-info of $2 paths of bench/files-$big, each in another folder while
# there are folders; $3: expand.
w_paths() {
    w_headers application/json
    awk -v n="$2" -v nf=$((big / 100)) -v ex="$3" 'BEGIN {
        printf "{\"expand\":%s,\"paths\":[", ex
        for (i = 0; i < n; i++)
            printf "%s\"d%05d/f%03d.txt\"", i ? "," : "", i % nf, int(i / nf) % 100
        print "]}"
    }' >"$wdir/worst-body"
    echo "$base/api/models/bench/files-$big/paths-info/main"
}
w_paths1() { w_paths "$1" 1 false; }
w_pathsmax() { w_paths "$1" $WORST_PATHS false; }
w_pathsmax_expand() { w_paths "$1" $WORST_PATHS true; }

# preupload of $2 files to bench/rules (whose .gitattributes has
# WORST_RULES rules), $3 rules of gitIgnore sent along, paths $4 folders
# deep.
w_preupload() {
    w_headers application/json
    awk -v n="$2" -v nr="$3" -v depth="$4" 'BEGIN {
        d = ""
        for (k = 0; k < depth; k++) d = d "a/"
        printf "{\"gitIgnore\":\""
        for (k = 0; k < nr; k++) printf "**/a/**/x%05d\\n", k
        printf "\",\"files\":["
        for (i = 0; i < n; i++)
            printf "%s{\"path\":\"%sf%04d.bin\",\"size\":%d,\"sample\":\"\"}", i ? "," : "", d, i, 100 + i
        print "]}"
    }' >"$wdir/worst-body"
    echo "$base/api/models/bench/rules/preupload/main"
}
w_preupload1() { w_preupload "$1" 1 0 0; }
w_preuploadmax() { w_preupload "$1" $WORST_PATHS $WORST_RULES 400; }

# An LFS batch upload of $2 objects nobody has (new ids each round).
w_batch() {
    w_headers application/vnd.git-lfs+json application/vnd.git-lfs+json
    awk -v n="$2" -v r="$1" 'BEGIN {
        printf "{\"operation\":\"upload\",\"transfers\":[\"basic\",\"multipart\"],\"hash_algo\":\"sha256\",\"objects\":["
        for (i = 0; i < n; i++) {
            printf "%s{\"oid\":\"", i ? "," : ""
            for (k = 0; k < 8; k++) printf "%08x", (r * 7919 + i * 104729 + k * 15485863) % 4294967296
            printf "\",\"size\":%d}", 1000 + i
        }
        print "]}"
    }' >"$wdir/worst-body"
    echo "$base/bench/m.git/info/lfs/objects/batch"
}
w_batch1() { w_batch "$1" 1; }
w_batchmax() { w_batch "$1" $WORST_OBJECTS; }

# A commit of $2 distinct files in folders of 1,000, to a new repository.
w_commit() {
    name=worst-$2-$1-$$
    api -X POST -H 'Content-Type: application/json' \
        -d "{\"name\":\"$name\",\"type\":\"model\"}" \
        "$base/api/repos/create" >/dev/null || fail "cannot create bench/$name"
    w_headers application/x-ndjson
    awk -v n="$2" -v r="$1" -v a="$B64" 'function c(x) { return substr(a, x % 64 + 1, 1) }
    BEGIN {
        print "{\"key\":\"header\",\"value\":{\"summary\":\"" n " distinct files\"}}"
        for (i = 0; i < n; i++)
            printf "{\"key\":\"file\",\"value\":{\"path\":\"d%03d/f%06d.bin\",\"encoding\":\"base64\",\"content\":\"%s%s%s%s%s%s%s%s\"}}\n",
                int(i / 1000), i, c(r), c(int(r / 64)), c(int(i / 16777216)),
                c(int(i / 262144)), c(int(i / 4096)), c(int(i / 64)), c(i), "A"
    }' >"$wdir/worst-body"
    echo "$base/api/models/bench/$name/commit/main"
}
w_commit1() { w_commit "$1" 1; }
w_commitmax() { w_commit "$1" $WORST_COMMIT_FILES; }

# GET of a tree (no body).
w_tree() {
    printf 'Authorization: Bearer %s\n' "$token" >"$wdir/worst-hdr"
    rm -f "$wdir/worst-body"
    echo "$base/api/models/bench/files-$big/tree/main$2"
}
w_tree1() { w_tree "$1" "/d00000?limit=1"; }
w_treemax() { w_tree "$1" "?recursive=true&limit=$WORST_TREE"; }
w_treemax_expand() { w_tree "$1" "/d00000?expand=true&limit=$WORST_TREE_EXPAND"; }

# label|expected status|method|body function|target (ms; - for none)
WORST="
hello.fcgi (302)|302|GET|w_hello|-
paths-info, 1 path|200|POST|w_paths1|$WORST_MS
paths-info, $WORST_PATHS paths in $WORST_PATHS folders|200|POST|w_pathsmax|$WORST_MS
paths-info, $WORST_PATHS paths, expand|200|POST|w_pathsmax_expand|$WORST_MS
preupload, 1 file|200|POST|w_preupload1|$WORST_MS
preupload, $WORST_PATHS deep files, $WORST_RULES+$WORST_RULES rules|200 413|POST|w_preuploadmax|$WORST_MS
LFS batch, 1 object|200|POST|w_batch1|$WORST_MS
LFS batch, $WORST_OBJECTS objects|200|POST|w_batchmax|$WORST_MS
tree, 1 entry|200|GET|w_tree1|$WORST_MS
tree, recursive, $WORST_TREE entries|200|GET|w_treemax|$WORST_MS
tree, expand, $WORST_TREE_EXPAND entries|200|GET|w_treemax_expand|$WORST_MS
commit, 1 file|200|POST|w_commit1|$WORST_MS
commit, $WORST_COMMIT_FILES distinct files|200|POST|w_commitmax|$WORST_COMMIT_MS
"

# bench/rules: a .gitattributes of WORST_RULES rules (patterns with ** and
# wildcards, the costly kind) for the preupload case.
seed_rules() {
    api -X POST -H 'Content-Type: application/json' \
        -d '{"name":"rules","type":"model"}' \
        "$base/api/repos/create" >/dev/null || fail "cannot create bench/rules"
    awk -v n=$WORST_RULES 'BEGIN {
        for (k = 0; k < n; k++)
            printf "**/a/**/*%05d*.bin filter=lfs diff=lfs merge=lfs -text\n", k
    }' >"$wdir/rules.attr"
    {
        echo '{"key":"header","value":{"summary":"rules"}}'
        printf '{"key":"file","value":{"path":".gitattributes","encoding":"base64","content":"%s"}}\n' \
            "$(base64 -w0 <"$wdir/rules.attr")"
    } | api -X POST -H 'Content-Type: application/x-ndjson' --data-binary @- \
        "$base/api/models/bench/rules/commit/main" >/dev/null ||
        fail "cannot commit the .gitattributes of bench/rules"
}

# worst_one FUNCTION ROUND METHOD: one request; prints "status ms peak-kB".
worst_one() {
    wm=$3
    u=$($1 "$2") || exit 1
    peak_reset || fail "cannot reset the workers' peak RSS (/proc/PID/clear_refs)"
    if [ -f "$wdir/worst-body" ]; then
        set -- --data-binary "@$wdir/worst-body"
    else
        set --
    fi
    res=$(curl -s -o "$wdir/worst-answer" -w '%{http_code} %{time_total}' \
        --max-time 300 -X "$wm" -H "@$wdir/worst-hdr" "$@" "$u") || res="000 0"
    set -- $res
    echo "$1 $(awk -v s="$2" 'BEGIN { printf "%.1f", s * 1000 }') $(peak_kb)"
}

# ---- measurement and report

# worst_cases: every line of WORST, BENCH_ROUNDS times, into worst-results.
worst_cases() {
    big=0
    for sz in $sizes; do big=$sz; done
    seed_rules
    printf '%s\n' "$WORST" | sed '/^[[:space:]]*$/d' >"$wdir/worst-plan"
    : >"$wdir/worst-results"
    r=1
    while [ $r -le "$rounds" ]; do
        while IFS='|' read -r label want method fn target <&3; do
            set -- $(worst_one "$fn" "$r" "$method")
            case " $want " in *" $1 "*) ;; *)
                fail "$label: answered $1, expected $want: $(head -c 300 "$wdir/worst-answer")" ;;
            esac
            echo "$label|$r|$1 $2 $3|$target" >>"$wdir/worst-results"
        done 3<"$wdir/worst-plan"
        r=$((r + 1))
    done
}

# worst_report: the table of worst-results, best time and largest peak.
worst_report() {
    echo
    echo "Worst cases within the caps (bench/files-$big), one request at a time," \
        "best of $rounds; peak RSS of the workers while it ran; targets" \
        "$WORST_MS ms (commit of $WORST_COMMIT_FILES files: $WORST_COMMIT_MS ms)" \
        "and $((WORST_KB / 1024)) MiB:"
    awk -F'|' -v kb=$WORST_KB '
    {
        split($3, f, " ")
        if (!($1 in best)) { order[++n] = $1; best[$1] = f[2] + 0; peak[$1] = 0 }
        if (f[2] + 0 < best[$1]) best[$1] = f[2] + 0
        if (f[3] + 0 > peak[$1]) peak[$1] = f[3] + 0
        st[$1] = f[1]; tg[$1] = $4
    }
    END {
        printf "  %-48s %6s %10s %8s %10s  %s\n", "request", "status", "time", "x hello", "peak RSS", ""
        for (i = 1; i <= n; i++) {
            l = order[i]
            over = ""
            if (tg[l] != "-" && best[l] > tg[l] + 0) over = "OVER time"
            if (peak[l] > kb) over = over (over ? ", " : "") "OVER memory"
            printf "  %-48s %6s %8.1fms %8.0f %7.1fMiB  %s\n", l, st[l], best[l],
                best[l] / best[order[1]], peak[l] / 1024, over
        }
    }' "$wdir/worst-results"
}
