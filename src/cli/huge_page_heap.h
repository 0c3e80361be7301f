// The allocator's heap on huge pages. tcmalloc takes memory from the system a megabyte at a time
// and hands it out in small pieces; on 4 KB pages each first touch of that memory is a page
// fault, and on this kind of virtual machine a fault costs 10-15 µs: a run over 10,000
// applications took 6,000 of them, most of its time. Served from 2 MB-aligned mappings advised
// MADV_HUGEPAGE instead, the heap takes one fault per 2 MB.
#pragma once

namespace qgrant::cli {

// Makes tcmalloc take its memory from huge-page mappings from now on (what it already has
// stays where it is). With `keep_freed`, memory freed stays with the allocator rather than go
// back to the kernel: for a command that ends soon; the service, which runs for months, hands
// it back as tcmalloc does by default. Does nothing when qgrant is not linked with tcmalloc.
// Call early in main, before other threads start.
void UseHugePagesForHeap(bool keep_freed);

}  // namespace qgrant::cli
