;; fac.wat: the test module of the wasm-64@1.0 device (like HyperBEAM's test-64.wasm).
;;
;; Recipe: no toolchain needed. wasmtime compiles the text at test time:
;;     WasmModule.load(Path("tests/runtimes/wasm/fac.wat"))   # wasmtime.wat2wasm inside
;; (or, by hand: `wat2wasm fac.wat -o fac.wasm` from wabt; the .wasm is git-ignored).
;;
;; Exports: fac(f64) -> f64; spin(i64) -> i64 (a counted loop, for fuel limits);
;; grow(i64) -> i64 (memory.grow on the 64-bit memory, for memory limits);
;; store(i64 addr, i64 value) / load(i64 addr) -> i64 (for snapshots);
;; malloc(i64) -> i64 (a bump allocator) and echo(i64 ptr) -> i64 (returns its argument,
;; so a C string written by the host can be read back); a memory64 memory of 1 page.
(module
  (memory (export "memory") i64 1)
  (global $heap (mut i64) (i64.const 1024))
  (global $calls (export "calls") (mut i64) (i64.const 0))
  (func $fac (export "fac") (param $n f64) (result f64)
    (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
    (if (result f64) (f64.lt (local.get $n) (f64.const 1))
      (then (f64.const 1))
      (else (f64.mul (local.get $n) (call $fac (f64.sub (local.get $n) (f64.const 1)))))))
  (func (export "spin") (param $n i64) (result i64) (local $i i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $i))
  (func (export "grow") (param $pages i64) (result i64)
    (memory.grow (local.get $pages)))
  (func (export "store") (param $addr i64) (param $v i64)
    (i64.store (local.get $addr) (local.get $v)))
  (func (export "load") (param $addr i64) (result i64)
    (i64.load (local.get $addr)))
  (func (export "malloc") (param $n i64) (result i64) (local $p i64)
    (local.set $p (global.get $heap))
    (global.set $heap (i64.and (i64.add (i64.add (local.get $p) (local.get $n)) (i64.const 15))
                               (i64.const -16)))
    (local.get $p))
  (func (export "echo") (param $p i64) (result i64) (local.get $p))
)
