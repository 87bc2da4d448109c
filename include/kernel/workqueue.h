/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deferred work (kernel/workqueue.c), Linux's schedule_work() onto the
 * system workqueue for one CPU without threads. An interrupt handler queues
 * a work item; the shell runs the queue while it waits for input, so the
 * work runs in process context, interrupts on, and may call mm (which never
 * runs in interrupt context). A command that runs delays the work until it
 * returns to the prompt.
 */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include <lib/list.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct list_head entry;
	work_func_t func;
	bool pending;		/* queued and not yet started */
	const char *name;	/* for `workqueue` */
	u64 runs;		/* times it ran */
};

#define __WORK_INITIALIZER(n, f)	{ .func = (f), .name = #n }
#define DECLARE_WORK(n, f)		struct work_struct n = __WORK_INITIALIZER(n, f)

static inline bool work_pending(const struct work_struct *work)
{
	return READ_ONCE(work->pending);
}

/*
 * schedule_work() - queue @work to run once from the shell's idle loop.
 * Callable from interrupt context. A work already pending stays queued
 * once; one queued while it runs runs again afterwards.
 * Return: true if queued, false if it was pending already.
 */
bool schedule_work(struct work_struct *work);
/* Whether any work is queued (the shell's wait must not sleep then). */
bool work_queued(void);
/*
 * run_scheduled_work() - run every queued work item, oldest first, until
 * the queue is empty (what Linux's kworker does). Process context only.
 */
void run_scheduled_work(void);

#endif
