#!/usr/bin/env bash
# The report of a `make bench` run, from the console output of its boots.
#
#   scripts/bench-report.sh [-o DIR] [--docs DOCDIR] LOG...
#
# LOG: what tests/vm/run.sh --bench printed (or its console.log); each boot's CPU count
# comes from its "SCXE: up ... cpus=N" line, each result from a line
#   bench: name=NAME config=CONFIG rep=N value=V unit=U better=higher|lower
# Writes into DIR (default $BUILD/bench):
#   results.tsv   one row a result: cpus name config rep value unit better
#   summary.txt   per benchmark and CPU count, per config: n, min, median, max and the
#                 median's ratio to the baseline's (eevdf where it ran, else the first
#                 config listed); also printed
#   summary.md    the same as one Markdown table
#   NAME.png      every rep of every config as a point, the median as a bar (gnuplot); a
#                 line's other keys (prog=X) belong to its name: NAME,prog=X
# With --docs DOCDIR the PNGs and summary.md are copied there too (make bench BENCH_DOCS=1:
# docs/bench/). DIR/meta, when bench.sh wrote it, names the run in the plots' titles.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD:-$top/build}/bench
docs=
die() { echo "bench-report: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	--docs) docs=$2; shift 2 ;;
	-*) die "unknown option $1; usage: scripts/bench-report.sh [-o DIR] [--docs DOCDIR] LOG..." ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no log given; usage: scripts/bench-report.sh [-o DIR] [--docs DOCDIR] LOG..."
for f in "$@"; do [ -r "$f" ] || die "cannot read $f"; done
command -v gnuplot >/dev/null || die "no gnuplot; run 'scripts/deps.sh bench' (Debian: gnuplot-nox)"
mkdir -p "$out"
tsv=$out/results.tsv

# --- results.tsv ---------------------------------------------------------------------------
printf 'cpus\tname\tconfig\trep\tvalue\tunit\tbetter\n' >"$tsv"
for f in "$@"; do
	awk -v src="$f" '
		/SCXE: up / { for (i = 1; i <= NF; i++) if ($i ~ /^cpus=/) cpus = substr($i, 6) }
		/^(# )?bench: name=/ {
			split("", kv); extra = ""
			for (i = 1; i <= NF; i++) {
				if ((e = index($i, "=")) <= 1) continue
				k = substr($i, 1, e - 1); kv[k] = substr($i, e + 1)
				# any other key tells series of one benchmark apart (prog=...): part of its name
				if (k !~ /^(name|config|rep|value|unit|better)$/) extra = extra "," $i
			}
			kv["name"] = kv["name"] extra
			if (kv["name"] == "" || kv["config"] == "" || kv["rep"] == "" || kv["value"] !~ /^[0-9.]+$/) {
				printf "bench-report: %s: skipped a malformed line: %s\n", src, $0 > "/dev/stderr"
				next
			}
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (cpus == "" ? "?" : cpus), kv["name"], kv["config"],
				kv["rep"], kv["value"], kv["unit"], kv["better"]
		}' "$f" >>"$tsv"
done
[ "$(wc -l <"$tsv")" -gt 1 ] || die "no 'bench:' result line in $*; did the boot run any benchmark?"

# --- statistics ----------------------------------------------------------------------------
# one line per benchmark, CPU count and config, in the order they first appear:
#   name cpus config n min median max unit better baseline_median
stats=$out/.stats
awk -F'\t' 'NR > 1 {
		g = $2 SUBSEP $1; k = g SUBSEP $3
		if (!(g in seen_g)) { seen_g[g] = 1; groups[++ng] = g }
		if (!(k in n)) { cfgs[g, ++nc[g]] = $3 }
		vals[k, ++n[k]] = $5; unit[g] = $6; better[g] = $7
	}
	function median(k, m,   i, j, t, v) {
		for (i = 1; i <= m; i++) v[i] = vals[k, i] + 0
		for (i = 2; i <= m; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		lo = v[1]; hi = v[m]
		return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
	}
	END {
		for (x = 1; x <= ng; x++) {
			g = groups[x]; split(g, p, SUBSEP)
			base = cfgs[g, 1]
			for (c = 1; c <= nc[g]; c++) if (cfgs[g, c] == "eevdf") base = "eevdf"
			bmed = median(g SUBSEP base, n[g SUBSEP base])
			for (c = 1; c <= nc[g]; c++) {
				k = g SUBSEP cfgs[g, c]
				med = median(k, n[k])
				printf "%s %s %s %d %s %s %s %s %s %s %s\n", p[1], p[2], cfgs[g, c], n[k], lo, med, hi,
					unit[g], better[g], base, bmed
			}
		}
	}' "$tsv" >"$stats"

# --- summary.txt / summary.md ----------------------------------------------------------------
awk -v md="$out/summary.md" '
	function num(v) { return (v == int(v) && v < 1e15) ? sprintf("%d", v) : (v >= 100 ? sprintf("%.0f", v) : sprintf("%.3g", v)) }
	BEGIN {
		print "| benchmark | CPUs | config | n | min | median | max | median / baseline |" > md
		print "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |" > md
	}
	{
		ratio = ($11 > 0) ? sprintf("%.2f", $6 / $11) : "-"
		if ($1 != name || $2 != cpus) {
			name = $1; cpus = $2
			printf "\n%s, %s CPUs (%s, %s is better)\n", name, cpus, $8, $9
			printf "  %-12s %3s %12s %12s %12s   %s\n", "config", "n", "min", "median", "max", "median / " $10
		}
		printf "  %-12s %3d %12s %12s %12s   %s\n", $3, $4, num($5), num($6), num($7), ratio
		printf "| %s (%s, %s is better) | %s | %s | %d | %s | %s | %s | %s |\n", name, $8, $9, cpus, $3, $4,
			num($5), num($6), num($7), ($3 == $10 ? "baseline" : ratio "x " $10) > md
	}' "$stats" | tee "$out/summary.txt"

# --- plots -----------------------------------------------------------------------------------
title_run=
[ -f "$out/meta" ] && title_run=$(sed -n 's/^run: //p' "$out/meta")
for name in $(awk '{ print $1 }' "$stats" | awk '!s[$0]++'); do
	file=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_')
	pts=$out/.$file.pts med=$out/.$file.med
	# x positions: one slot per (cpus, config) in order; the reps spread around the slot
	awk -v name="$name" -v pts="$pts" -v med="$med" -F'\t' '
		BEGIN { while ((getline l < ARGV[2]) > 0) { split(l, s, " ")
				if (s[1] != name) continue
				k = s[2] SUBSEP s[3]
				slot[k] = nslot++; m[k] = s[6]; reps[k] = s[4]; ratio[k] = (s[11] > 0) ? s[6] / s[11] : 0
				if (!(s[2] in ncpus)) { ncpus[s[2]] = 1; nboots++ } }
			ARGV[2] = "" }
		NR > 1 && $2 == name {
			k = $1 SUBSEP $3
			x = slot[k] + ($4 - (reps[k] + 1) / 2) * (0.5 / (reps[k] > 1 ? reps[k] : 1))
			rgb = ($3 == "eevdf") ? 4487082 : ($3 == "eevdf+vms") ? 8960989 : ($3 == "errata") ? 15623799 : \
				($3 == "errata+vms") ? 13417284 : 6710886
			print x, $5, rgb > pts
			if ($5 > top[k]) top[k] = $5
		}
		END {
			for (k in slot) { split(k, p, SUBSEP)
				label = p[2] (nboots > 1 ? "\\n" p[1] " CPUs" : "")
				printf "%s %s %s %s \"%s\"\n", slot[k], m[k], top[k], ratio[k], label > med }
		}' "$tsv" "$stats"
	n=$(wc -l <"$med")
	unit=$(awk -v n="$name" '$1 == n { print $8 " (" $9 " is better)"; exit }' "$stats")
	# a benchmark whose configs differ by orders of magnitude reads best on a log scale
	scale=$(awk '{ if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 } END { print (min > 0 && max / min > 50) ? "log" : "lin" }' "$med")
	xtics=$(sort -n "$med" | awk '{ l = $0; sub(/^[^"]*/, "", l); printf "%s%s %s", (NR > 1 ? ", " : ""), l, $1 }')
	gnuplot <<-EOF || die "gnuplot failed on $name"
		set terminal pngcairo size 960,540 font ",10"
		set output "$out/$file.png"
		set title "$name${title_run:+ - $title_run}\na point per rep; bar and label: the median (its ratio to the baseline)" noenhanced
		set bmargin 4
		set ylabel "$unit"
		set xtics ($xtics)
		set xrange [-0.6:$n - 0.4]
		set grid ytics
		set key off
		$( [ "$scale" = log ] && echo 'set logscale y' || echo 'set yrange [0:*]' )
		plot "$pts" using 1:2:3 with points pt 7 ps 1.1 lc rgb variable, \
		     "$med" using (\$1 - 0.3):2:(0.6):(0) with vectors nohead lw 3 lc rgb "black", \
		     "$med" using 1:3:(sprintf(\$2 >= 100 ? "%.0f (%.2fx)" : "%.3g (%.2fx)", \$2, \$4)) \\
		         with labels offset 0,1 font ",9"
	EOF
	rm -f "$pts" "$med"
done
rm -f "$stats"
echo
echo "bench-report: $tsv, summary.txt, summary.md and one PNG per benchmark in $out"

if [ -n "$docs" ]; then
	mkdir -p "$docs"
	cp "$out"/*.png "$out/summary.md" "$docs/"
	echo "bench-report: plots and summary.md copied to $docs"
fi
