//! The package's allocator under stress, in a real JS engine (Node, via
//! wasm-bindgen-test). Built with `--features small-allocator`, so the global
//! allocator is lol_alloc's `AssumeSingleThreaded<FreeListAllocator>`, as in
//! the shipped wasm (`make test-alloc` also checks that the test binary links
//! lol_alloc). docs/allocator.md says why that allocator is sound here; these
//! tests check what the review relies on: every block is aligned, no two live
//! blocks overlap, contents survive other allocations, frees and reallocs,
//! freed memory is reused (coalesced) rather than grown, and strings crossing
//! the JS boundary (wasm-bindgen's malloc/realloc/free) come back intact.
//!
//! The random sequences come from a fixed-seed xorshift, printed, so a
//! failure repeats exactly.
#![cfg(target_arch = "wasm32")]

// Linked for its `#[global_allocator]` (the `small-allocator` feature).
extern crate airstore_wasm;

use core::arch::wasm32::memory_size;
use std::alloc::{alloc, dealloc, realloc, Layout};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

const SEED: u64 = 0x5eed_a110_c0de_2026;

/// xorshift64*: a small, fixed-seed generator (no dependency).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A live block and the byte pattern it must still hold.
struct Block {
    ptr: *mut u8,
    layout: Layout,
    tag: u8,
}

fn pattern(tag: u8, i: usize) -> u8 {
    tag ^ (i as u8).wrapping_mul(31)
}

/// The bytes of a block that carry its pattern: all of a block up to 4 KiB;
/// of a larger one the first and last 4 KiB (where an allocator's free-list
/// node would land if it were written into a live neighbour) and every 61st
/// byte between (a debug build checking every byte takes minutes).
fn marked(len: usize) -> impl Iterator<Item = usize> {
    let edge = len.min(4096);
    let tail = len.saturating_sub(4096).max(edge);
    (0..edge).chain((edge..tail).step_by(61)).chain(tail..len)
}

unsafe fn fill(block: &Block) {
    for i in marked(block.layout.size()) {
        *block.ptr.add(i) = pattern(block.tag, i);
    }
}

/// The block's first `len` bytes still hold the pattern `fill` wrote when the
/// block was `written` bytes long (a realloc moves the pattern of the old size).
unsafe fn intact(block: &Block, written: usize, len: usize) -> bool {
    marked(written).take_while(|&i| i < len).all(|i| *block.ptr.add(i) == pattern(block.tag, i))
}

/// Sizes as the crate's work makes them (mostly small: strings, headers, Vecs),
/// with some medium ones and some larger than a 64 KiB wasm page.
fn size(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0..=59 => 1 + rng.below(64),
        60..=89 => 65 + rng.below(4096),
        90..=97 => 4096 + rng.below(60_000),
        _ => 65_536 + rng.below(200_000),
    }
}

fn align(rng: &mut Rng) -> usize {
    [1, 1, 1, 2, 4, 8, 8, 8, 16, 32, 64, 128, 4096][rng.below(13)]
}

/// Every live block is aligned, holds its pattern, and overlaps no other.
fn check(live: &mut [Block], step: usize) {
    live.sort_by_key(|b| b.ptr as usize);
    for pair in live.windows(2) {
        let end = pair[0].ptr as usize + pair[0].layout.size();
        assert!(
            end <= pair[1].ptr as usize,
            "step {step}: blocks overlap: {:p}+{} and {:p}",
            pair[0].ptr,
            pair[0].layout.size(),
            pair[1].ptr
        );
    }
    for b in live.iter() {
        assert_eq!(b.ptr as usize % b.layout.align(), 0, "step {step}: {:p} not aligned to {}", b.ptr, b.layout.align());
        assert!(unsafe { intact(b, b.layout.size(), b.layout.size()) }, "step {step}: block at {:p} ({} B) was overwritten", b.ptr, b.layout.size());
    }
}

/// 12,000 random allocations, frees and reallocs (grow and shrink) over up to
/// 400 live blocks, checking every block every 200 steps and at the end.
#[wasm_bindgen_test]
fn random_alloc_free_realloc_keeps_blocks_aligned_disjoint_and_intact() {
    web_sys_log(&format!("tests/alloc.rs seed {SEED:#x}"));
    let mut rng = Rng(SEED);
    let mut live: Vec<Block> = Vec::with_capacity(400);
    let mut tag = 0u8;
    for step in 0..12_000 {
        let op = rng.below(10);
        if live.len() < 400 && (op < 5 || live.is_empty()) {
            let layout = Layout::from_size_align(size(&mut rng), align(&mut rng)).unwrap();
            let ptr = unsafe { alloc(layout) };
            assert!(!ptr.is_null(), "step {step}: alloc({layout:?}) returned null");
            tag = tag.wrapping_add(1);
            let block = Block { ptr, layout, tag };
            unsafe { fill(&block) };
            live.push(block);
        } else if op < 8 {
            let block = live.swap_remove(rng.below(live.len()));
            assert!(unsafe { intact(&block, block.layout.size(), block.layout.size()) }, "step {step}: block freed with wrong contents");
            unsafe { dealloc(block.ptr, block.layout) };
        } else {
            let i = rng.below(live.len());
            let new_size = size(&mut rng);
            let old = &live[i];
            let kept = old.layout.size().min(new_size);
            let ptr = unsafe { realloc(old.ptr, old.layout, new_size) };
            assert!(!ptr.is_null(), "step {step}: realloc to {new_size} returned null");
            let block = Block { ptr, layout: Layout::from_size_align(new_size, old.layout.align()).unwrap(), tag: old.tag };
            assert!(unsafe { intact(&block, old.layout.size(), kept) }, "step {step}: realloc lost the first {kept} bytes");
            unsafe { fill(&block) };
            live[i] = block;
        }
        if step % 200 == 0 {
            check(&mut live, step);
        }
    }
    check(&mut live, 12_000);
    for block in live.drain(..) {
        unsafe { dealloc(block.ptr, block.layout) };
    }
}

/// Freed memory coalesces and is reused: the same workload run again and
/// again after freeing everything never grows the memory past its first run.
#[wasm_bindgen_test]
fn freed_memory_is_reused_not_grown() {
    fn workload() {
        let mut rng = Rng(SEED ^ 1);
        let mut live = Vec::with_capacity(600);
        for _ in 0..600 {
            let layout = Layout::from_size_align(size(&mut rng), align(&mut rng)).unwrap();
            let ptr = unsafe { alloc(layout) };
            assert!(!ptr.is_null());
            live.push((ptr, layout));
        }
        // Free every other block first (holes), then the rest: the free list
        // must merge neighbours on both sides to get back whole regions.
        for (ptr, layout) in live.iter().step_by(2) {
            unsafe { dealloc(*ptr, *layout) };
        }
        for (ptr, layout) in live.iter().skip(1).step_by(2) {
            unsafe { dealloc(*ptr, *layout) };
        }
    }
    workload();
    let pages = memory_size(0);
    for round in 0..50 {
        workload();
        assert_eq!(memory_size(0), pages, "round {round}: memory grew from {pages} pages");
    }
}

/// The edges: sizes around the 8-byte node size and the 64 KiB page, every
/// power-of-two alignment up to a page, freed in both orders.
#[wasm_bindgen_test]
fn sizes_and_alignments_at_the_edges() {
    let sizes = [1, 2, 7, 8, 9, 15, 16, 17, 4095, 4096, 4097, 65_535, 65_536, 65_537, 131_073];
    for align_log in 0..=16 {
        let align = 1usize << align_log;
        for forward in [true, false] {
            let mut blocks = Vec::new();
            for (n, &size) in sizes.iter().enumerate() {
                let layout = Layout::from_size_align(size, align).unwrap();
                let ptr = unsafe { alloc(layout) };
                assert!(!ptr.is_null(), "alloc({layout:?}) returned null");
                assert_eq!(ptr as usize % align, 0, "alloc({layout:?}) gave {ptr:p}");
                let block = Block { ptr, layout, tag: n as u8 };
                unsafe { fill(&block) };
                blocks.push(block);
            }
            check(&mut blocks, align_log);
            if !forward {
                blocks.reverse();
            }
            for block in blocks {
                unsafe { dealloc(block.ptr, block.layout) };
            }
        }
    }
}

/// What the crate's own code does most: Vecs and Strings growing one push at
/// a time (realloc after realloc), boxed slices, and strings crossing the JS
/// boundary both ways, ASCII and not (wasm-bindgen's glue mallocs, reallocs
/// when a non-ASCII character shows up, and frees).
#[wasm_bindgen_test]
fn growing_collections_and_js_strings_round_trip() {
    let mut bytes = Vec::new();
    for i in 0..300_000u32 {
        bytes.push((i % 251) as u8);
    }
    assert!(bytes.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));

    let mut text = String::new();
    let mut strings = Vec::new();
    for i in 0..2_000 {
        text.push(if i % 7 == 0 { 'é' } else { 'a' });
        if i % 3 == 0 {
            text.push('😀');
        }
        let js = JsValue::from_str(&text);
        let back = js.as_string().expect("a JS string");
        assert_eq!(back, text, "round trip of {} chars", text.chars().count());
        strings.push(back.into_boxed_str());
        if strings.len() > 64 {
            strings.swap_remove(i % 64);
        }
    }
    let boxed: Vec<Box<[u64]>> = (0..500).map(|n| vec![n as u64; n].into_boxed_slice()).collect();
    for (n, b) in boxed.iter().enumerate() {
        assert!(b.len() == n && b.iter().all(|&v| v == n as u64));
    }
    assert_eq!(bytes.len(), 300_000);
}

fn web_sys_log(line: &str) {
    wasm_bindgen_test::console_log!("{}", line);
}
