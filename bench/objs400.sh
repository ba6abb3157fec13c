# Sourced by the benches that time the medium link: bench_objs400 makes
# objs/m0.o .. objs/m399.o in the current directory once (ten functions
# and ten arrays each, main in m0.o), so that every bench links the same
# 400 objects.
bench_objs400() {
	[ -f objs/.done ] && return 0
	rm -rf objs && mkdir objs
	for i in $(seq 0 399); do
		{
			for f in $(seq 0 9); do
				echo "int g_${i}_${f}[64] = { $f };"
				echo "int f_${i}_${f}(int x) { return x * $f + g_${i}_${f}[x & 63] + $i; }"
			done
			[ "$i" = 0 ] && echo 'int main(void) { return f_0_0(1); }'
		} >"objs/m$i.c"
	done
	ls objs/*.c | xargs -P "$(nproc)" -n 20 sh -c 'for f; do cc -O1 -ffunction-sections -c -o "${f%.c}.o" "$f"; done' sh
	touch objs/.done
}
