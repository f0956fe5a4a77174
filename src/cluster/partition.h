/*
 * partition.h: how a job's compute units are dealt among workers, and how a job's proving
 * instances are balanced over those units. Pure, deterministic functions: the coordinator and
 * every worker compute the same answer from the same inputs (the distributed protocol depends
 * on it), so no input order is ever taken from a hash table or a clock.
 *
 * Compute units are abstract weights: a worker advertising 10 units gets twice the load of one
 * advertising 5. A job asks for N units; unit ids 0..N-1 are dealt to the selected workers in
 * proportion to their capacity (largest-remainder rounding, ties to the earlier worker), as
 * contiguous ranges in selection order.
 *
 * Ownership: callers own every array; nothing here allocates.
 */
#ifndef ZISK_PARTITION_H
#define ZISK_PARTITION_H

#include <stddef.h>
#include <stdint.h>

/* Chooses workers, in the given order, until their capacities cover `needed` units (needed == 0
 * means all of them). Returns how many of the first workers are selected (0 if the total
 * capacity is below `needed`, or no worker has capacity). */
size_t partition_select(const uint32_t *capacity, size_t n_workers, uint64_t needed);

/* Deals unit ids 0..n_units-1 among n_workers workers with the given capacities (each >= 1):
 * worker i gets count[i] units starting at first[i], with count[i] proportional to
 * capacity[i]. Returns 0, or -1 if n_workers == 0, a capacity is 0, or n_units == 0. */
int partition_deal(const uint32_t *capacity, size_t n_workers, uint64_t n_units, uint64_t *first,
                   uint64_t *count);

/* Assigns instances (with weights, e.g. columns x rows) to units 0..n_units-1: heaviest first,
 * each to the currently lightest unit (ties: lowest unit id; equal weights keep instance
 * order). unit_of[i] receives the unit of instance i; load (n_units entries) the total
 * weight per unit. scratch must hold 2 * n_instances entries. Cost O(n log n + n * n_units).
 * Returns 0, or -1 when n_units is 0 or above UINT32_MAX. */
int partition_balance(const uint64_t *weight, size_t n_instances, uint64_t n_units, uint32_t *unit_of,
                      uint64_t *load, size_t *scratch);

#endif
