// SPDX-License-Identifier: GPL-2.0
/*
 * Deferred work: a list of work items that interrupt handlers add to and
 * the shell's input wait empties (include/kernel/workqueue.h). The list is
 * touched with interrupts masked; a work function runs with them on.
 */
#include <arch/irqflags.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/workqueue.h>

static struct list_head work_list = LIST_HEAD_INIT(work_list);
/* Every work item ever queued, for the `workqueue` command. */
#define MAX_KNOWN_WORK	8
static struct work_struct *known_work[MAX_KNOWN_WORK];
static unsigned int nr_known_work;

static void remember(struct work_struct *work)
{
	for (unsigned int i = 0; i < nr_known_work; i++)
		if (known_work[i] == work)
			return;
	if (nr_known_work < MAX_KNOWN_WORK)
		known_work[nr_known_work++] = work;
}

bool schedule_work(struct work_struct *work)
{
	unsigned long flags = arch_local_irq_save();
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		list_add_tail(&work->entry, &work_list);
		remember(work);
	}
	arch_local_irq_restore(flags);
	return queued;
}

bool work_queued(void)
{
	return !list_empty(&work_list);
}

/* The oldest queued work, taken off the list; NULL when there is none. */
static struct work_struct *dequeue_work(void)
{
	unsigned long flags = arch_local_irq_save();
	struct work_struct *work = NULL;

	if (!list_empty(&work_list)) {
		work = list_first_entry(&work_list, struct work_struct, entry);
		list_del(&work->entry);
		work->pending = false;	/* from now on it may be queued again */
	}
	arch_local_irq_restore(flags);
	return work;
}

void run_scheduled_work(void)
{
	struct work_struct *work;

	while ((work = dequeue_work())) {
		work->runs++;
		work->func(work);
	}
}

static int cmd_workqueue(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	printk("work                 runs  pending\n");
	for (unsigned int i = 0; i < nr_known_work; i++)
		printk("%-18s %6llu  %s\n", known_work[i]->name,
		       (unsigned long long)known_work[i]->runs,
		       work_pending(known_work[i]) ? "yes" : "no");
	return 0;
}
SHELL_CMD(workqueue, cmd_workqueue, "",
	  "deferred work: what interrupt handlers queued and how often it ran");
