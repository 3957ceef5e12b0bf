/*
 * ipc_kmsg.c -- a message's life in the kernel: intake and measuring
 * (ipc_kmsg_get), header rights (ipc_kmsg_copyin_header), body rights
 * (ipc_kmsg_copyin_body), destruction (ipc_kmsg_destroy) and copyout into a
 * receiver or back into a failed sender (ipc_kmsg_copyout).  Layout and
 * invariants are in ipc_kmsg.h; the order of checks is spec 3.1.
 */
#include <string.h>
#include <unistd.h>

#include "ipc_kmsg.h"
#include "ipc_port.h"
#include "ipc_right.h"
#include "ipc_notify.h"
#include "kalloc.h"
#include "memfd_sealed.h"

#define IPC_KMSG_MAX_BODY_SPACE      50331580u
#define IPC_KMSG_MAX_OOL_PORT_COUNT  16383u
#define IPC_KMSG_MAX_VM_SPACE        7340032u
#define MSG_OOL_SIZE_SMALL           16384u
#define PAGE_SIZE_K                  4096u

static uint64_t ipc_kmsg_serial;

/* Messages waiting to be destroyed: destruction never recurses (spec 5.5). */
static ipc_kmsg_t destroy_first, destroy_last;
static bool destroy_draining;

ipc_kmsg_t
ipc_kmsg_alloc(uint32_t dsc_count, uint32_t body_size)
{
	size_t size = sizeof(struct ipc_kmsg) +
	    (size_t)dsc_count * sizeof(struct ipc_kmsg_desc) + body_size;
	ipc_kmsg_t kmsg = kalloc(KA_KMSG, size);

	if (kmsg == NULL)
		return IKM_NULL;
	kmsg->ikm_dsc_count = dsc_count;
	kmsg->ikm_dsc = (struct ipc_kmsg_desc *)(kmsg + 1);
	for (uint32_t i = 0; i < dsc_count; i++) {
		kmsg->ikm_dsc[i].memfd = -1;
		kmsg->ikm_dsc[i].ool_error = MACH_SEND_INVALID_MEMORY;
	}
	kmsg->ikm_body_size = body_size;
	kmsg->ikm_body = (uint8_t *)(kmsg->ikm_dsc + dsc_count);
	kmsg->ikm_serial = ++ipc_kmsg_serial;
	return kmsg;
}

uint64_t ipc_ledger_limit = 256ull << 20;
uint64_t ipc_ledger_fd_limit = 4096;
uint64_t ipc_ledger_ool_limit = 8ull << 30;
uint64_t ipc_kmsg_fd_budget = 4096;
static uint64_t kmsg_fds_held;         /* memfds in kmsgs, all tasks */

uint64_t
ipc_kmsg_fds_held(void)
{
	return kmsg_fds_held;
}

void
ipc_kmsg_desc_set_memfd(struct ipc_kmsg_desc *d, int fd)
{
	d->memfd = fd;
	if (fd >= 0)
		kmsg_fds_held++;
}

static void
kmsg_memfd_close(int *fdp)
{
	if (*fdp >= 0) {
		close(*fdp);
		*fdp = -1;
		kmsg_fds_held--;
	}
}

struct ipc_ledger *
ipc_ledger_create(void)
{
	struct ipc_ledger *ledger = kalloc(KA_MISC, sizeof(*ledger));

	if (ledger != NULL)
		ledger->il_refs = 1;
	return ledger;
}

void
ipc_ledger_release(struct ipc_ledger *ledger)
{
	if (ledger != NULL && --ledger->il_refs == 0)
		kfree(KA_MISC, ledger);
}

mach_msg_return_t
ipc_kmsg_charge(ipc_kmsg_t kmsg, struct ipc_ledger *ledger)
{
	uint32_t size = ipc_kmsg_user_size(kmsg), fds = 0, i;
	uint64_t ool = 0;

	if (ledger == NULL)
		return MACH_MSG_SUCCESS;
	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		const struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		if (d->memfd >= 0) {
			fds++;
			ool += d->size;
		}
	}
	if (ledger->il_bytes + size > ipc_ledger_limit ||
	    ledger->il_fds + fds > ipc_ledger_fd_limit ||
	    ledger->il_ool_bytes + ool > ipc_ledger_ool_limit)
		return MACH_SEND_NO_BUFFER;
	ledger->il_bytes += size;
	ledger->il_fds += fds;
	ledger->il_ool_bytes += ool;
	ledger->il_refs++;
	kmsg->ikm_ledger = ledger;
	kmsg->ikm_charge = size;
	kmsg->ikm_charge_fds = fds;
	kmsg->ikm_charge_ool = ool;
	return MACH_MSG_SUCCESS;
}

void
ipc_kmsg_free(ipc_kmsg_t kmsg)
{
	uint32_t i;

	if (kmsg->ikm_ledger != NULL) {
		kmsg->ikm_ledger->il_bytes -= kmsg->ikm_charge;
		kmsg->ikm_ledger->il_fds -= kmsg->ikm_charge_fds;
		kmsg->ikm_ledger->il_ool_bytes -= kmsg->ikm_charge_ool;
		ipc_ledger_release(kmsg->ikm_ledger);
	}
	/* Memory only: any right left in an array is the caller's mistake,
	 * but the arrays and memfds themselves must not leak. */
	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		kmsg_memfd_close(&d->memfd);
		kfree(KA_OOL, d->names);
		kfree(KA_OOL, d->ports);
	}
	kfree(KA_KMSG, kmsg);
}

uint64_t
ipc_kmsg_count(void)
{
	return kalloc_live(KA_KMSG);
}

static uint32_t
user_desc_size(uint8_t type)
{
	return type == MACH_MSG_PORT_DESCRIPTOR ? IKM_USER_PORT_DESC_SIZE
	    : IKM_USER_OTHER_DESC_SIZE;
}

uint32_t
ipc_kmsg_user_size(ipc_kmsg_t kmsg)
{
	uint32_t size = (uint32_t)sizeof(mach_msg_header_t), i;

	if (kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX) {
		size += (uint32_t)sizeof(mach_msg_body_t);
		for (i = 0; i < kmsg->ikm_dsc_count; i++)
			size += user_desc_size(kmsg->ikm_dsc[i].type);
	}
	return size + kmsg->ikm_body_size;
}

/* --- destruction ---------------------------------------------------------- */

/* Destroy the first `n` rights of an OOL ports array and free it. */
static void
ool_ports_destroy(struct ipc_kmsg_desc *d, uint32_t n)
{
	uint32_t j;

	for (j = 0; j < n; j++)
		ipc_object_destroy(d->ports[j], d->disposition);
	kfree(KA_OOL, d->ports);
	d->ports = NULL;
	kfree(KA_OOL, d->names);
	d->names = NULL;
}

void
ipc_kmsg_clean_body(ipc_kmsg_t kmsg)
{
	uint32_t i;

	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		if (d->type == MACH_MSG_PORT_DESCRIPTOR) {
			ipc_object_destroy(d->port, d->disposition);
			d->port = IP_NULL;
		} else if (d->type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
			ool_ports_destroy(d, d->ports != NULL ? d->size : 0);
		} else {
			kmsg_memfd_close(&d->memfd); /* OOL memory is discarded */
		}
	}
}

static void
ipc_kmsg_clean(ipc_kmsg_t kmsg)
{
	ipc_object_destroy(kmsg->ikm_remote, MACH_MSGH_BITS_REMOTE(kmsg->ikm_bits));
	kmsg->ikm_remote = IP_NULL;
	ipc_object_destroy(kmsg->ikm_local, MACH_MSGH_BITS_LOCAL(kmsg->ikm_bits));
	kmsg->ikm_local = IP_NULL;
	ipc_kmsg_clean_body(kmsg);
}

void
ipc_kmsg_destroy(ipc_kmsg_t kmsg)
{
	kmsg->ikm_next = IKM_NULL;
	if (destroy_last)
		destroy_last->ikm_next = kmsg;
	else
		destroy_first = kmsg;
	destroy_last = kmsg;
	if (destroy_draining)
		return;
	destroy_draining = true;
	while (destroy_first != IKM_NULL) {
		ipc_kmsg_t k = destroy_first;
		destroy_first = k->ikm_next;
		if (destroy_first == IKM_NULL)
			destroy_last = IKM_NULL;
		ipc_kmsg_clean(k);
		ipc_kmsg_free(k);
	}
	destroy_draining = false;
}

/* --- intake: steps 1-7 of spec 3.1 ---------------------------------------- */

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Spec 4.1: walk the descriptors without trusting the count. */
static mach_msg_return_t
measure_descriptors(const uint8_t *msg, uint32_t send_size, uint32_t count,
    uint32_t *endp)
{
	uint32_t pos = (uint32_t)(sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t)), i;

	if (count > (send_size - pos) / IKM_USER_PORT_DESC_SIZE)
		return MACH_SEND_MSG_TOO_SMALL;
	for (i = 0; i < count; i++) {
		uint8_t type;
		if (pos + IKM_USER_PORT_DESC_SIZE > send_size)
			return MACH_SEND_MSG_TOO_SMALL;
		type = msg[pos + 11];
		if (type > MACH_MSG_GUARDED_PORT_DESCRIPTOR)
			return MACH_SEND_INVALID_TYPE;
		pos += user_desc_size(type);
		if (pos > send_size)
			return MACH_SEND_MSG_TOO_SMALL;
	}
	*endp = pos;
	return MACH_MSG_SUCCESS;
}

/* Spec 4.2: per-descriptor static checks, in order; fills the kernel form. */
static mach_msg_return_t
inflate_descriptors(const uint8_t *msg, ipc_kmsg_t kmsg)
{
	uint32_t pos = (uint32_t)(sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t)), i;
	uint64_t ports = 0, physical = 0, regions = 0;

	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		const uint8_t *u = msg + pos;
		struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];

		d->type = u[11];
		switch (d->type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			d->name = rd32(u);
			d->disposition = u[10];
			ports++;
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
		case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
			d->address = rd64(u);
			d->deallocate = u[8];
			d->copy = u[9];
			d->size = rd32(u + 12);
			if (d->copy != MACH_MSG_PHYSICAL_COPY && d->copy != MACH_MSG_VIRTUAL_COPY)
				return MACH_SEND_INVALID_TYPE;
			if (d->size > MSG_OOL_SIZE_SMALL && d->copy == MACH_MSG_PHYSICAL_COPY &&
			    !d->deallocate)
				physical += ((uint64_t)d->size + PAGE_SIZE_K - 1) & ~(uint64_t)(PAGE_SIZE_K - 1);
			regions += d->size != 0;
			break;
		case MACH_MSG_OOL_PORTS_DESCRIPTOR:
			d->address = rd64(u);
			d->deallocate = u[8];
			d->copy = u[9];
			d->disposition = u[10];
			d->size = rd32(u + 12);
			ports += d->size;
			if (ports > UINT32_MAX)
				return MACH_SEND_TOO_LARGE;
			regions += d->size != 0;
			break;
		case MACH_MSG_GUARDED_PORT_DESCRIPTOR:
			d->context = rd64(u);
			memcpy(&d->flags, u + 8, 2);
			d->disposition = u[10];
			d->name = rd32(u + 12);
			ports++;
			if (d->disposition != MACH_MSG_TYPE_MOVE_RECEIVE)
				return MACH_SEND_INVALID_TYPE;
			if (d->flags == 0 || (d->flags & ~MACH_MSG_GUARD_FLAGS_MASK) ||
			    ((d->flags & MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND) && d->context != 0))
				return MACH_SEND_INVALID_TYPE;
			break;
		}
		pos += user_desc_size(d->type);
	}
	if (ports > IPC_KMSG_MAX_OOL_PORT_COUNT)
		return MACH_SEND_TOO_LARGE;
	if (physical + 8 * ports > IPC_KMSG_MAX_VM_SPACE)
		return MACH_MSG_VM_KERNEL;
	/* Each region travels as one memfd, and a datagram carries at most
	 * MXP_FDS_MAX of them (machd_proto.h): a machxfer limit, not XNU's. */
	if (regions > MXP_OOL_MAX)
		return MACH_SEND_TOO_LARGE;
	/*
	 * Guarded port descriptors need port guards, which machd does not
	 * keep: refused here, before any right is taken, with the code XNU
	 * uses for a descriptor type it does not accept (docs/architecture.md).
	 */
	for (i = 0; i < kmsg->ikm_dsc_count; i++)
		if (kmsg->ikm_dsc[i].type == MACH_MSG_GUARDED_PORT_DESCRIPTOR)
			return MACH_SEND_INVALID_TYPE;
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t
ipc_kmsg_get(const uint8_t *msg, uint32_t send_size, ipc_kmsg_t *kmsgp)
{
	mach_msg_header_t hdr;
	uint32_t count = 0, end = (uint32_t)sizeof(mach_msg_header_t);
	bool complex;
	ipc_kmsg_t kmsg;
	mach_msg_return_t mr;

	if (send_size < sizeof(mach_msg_header_t) || (send_size & 3u))
		return MACH_SEND_MSG_TOO_SMALL;
	if (send_size > IPC_KMSG_MAX_BODY_SPACE)
		return MACH_SEND_TOO_LARGE;
	memcpy(&hdr, msg, sizeof(hdr));
	complex = (hdr.msgh_bits & MACH_MSGH_BITS_COMPLEX) != 0;
	if (complex) {
		if (send_size < sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t))
			return MACH_SEND_MSG_TOO_SMALL;
		count = rd32(msg + sizeof(mach_msg_header_t));
		mr = measure_descriptors(msg, send_size, count, &end);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	}
	kmsg = ipc_kmsg_alloc(count, send_size - end);
	if (kmsg == IKM_NULL)
		return MACH_SEND_NO_BUFFER;
	kmsg->ikm_bits = hdr.msgh_bits & MACH_MSGH_BITS_COMPLEX;
	kmsg->ikm_id = hdr.msgh_id;
	if (complex) {
		mr = inflate_descriptors(msg, kmsg);
		if (mr != MACH_MSG_SUCCESS) {
			ipc_kmsg_free(kmsg);
			return mr;
		}
	}
	memcpy(kmsg->ikm_body, msg + end, send_size - end);
	*kmsgp = kmsg;
	return MACH_MSG_SUCCESS;
}

/* --- out-of-line regions: memfds from the sender's library ---------------- */

/* The region's memfd is attached (machd_proto.h): at offset 0, or, for
 * memory, at an offset within the first page. */
static bool
desc_attached(const struct ipc_kmsg_desc *d)
{
	return d->address == MXP_OOL_ATTACHED || (d->type != MACH_MSG_OOL_PORTS_DESCRIPTOR &&
	    d->address <= MXP_OOL_OFFSET_MAX);
}

static bool
desc_has_region(const struct ipc_kmsg_desc *d)
{
	return d->size != 0 && (d->type == MACH_MSG_OOL_DESCRIPTOR ||
	    d->type == MACH_MSG_OOL_VOLATILE_DESCRIPTOR ||
	    d->type == MACH_MSG_OOL_PORTS_DESCRIPTOR);
}

/* Read an OOL ports array: `count` names from a sealed memfd. */
static mach_msg_return_t
ool_names_read(struct ipc_kmsg_desc *d, int fd)
{
	size_t len = (size_t)d->size * sizeof(mach_port_name_t), done = 0;

	if (!memfd_sealed_check(fd, len))
		return MACH_SEND_INVALID_MEMORY;
	d->names = kalloc(KA_OOL, len);
	if (d->names == NULL)
		return MACH_MSG_VM_KERNEL;
	while (done < len) {
		ssize_t n = pread(fd, (char *)d->names + done, len - done, (off_t)done);
		if (n <= 0) {
			kfree(KA_OOL, d->names);
			d->names = NULL;
			return MACH_SEND_INVALID_MEMORY;
		}
		done += (size_t)n;
	}
	return MACH_MSG_SUCCESS;
}

/* One descriptor's region; takes `fd` (or -1: none came for it). */
static void
ool_attach(struct ipc_kmsg_desc *d, int fd)
{
	if (d->address == MXP_OOL_NO_MEMORY)
		d->ool_error = MACH_MSG_VM_KERNEL;
	if (fd < 0)
		return;
	if (d->type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
		d->ool_error = ool_names_read(d, fd);
		close(fd);
	} else if (memfd_sealed_check(fd, (uint64_t)d->size + d->address)) {
		d->memfd = fd;
		d->offset = (uint32_t)d->address;
		kmsg_fds_held++;
	} else {
		close(fd);
	}
}

mach_msg_return_t
ipc_kmsg_get_ool(ipc_kmsg_t kmsg, const int *fds, int nfds)
{
	uint32_t i, want = 0;
	int next = 0;

	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		const struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		if (desc_has_region(d) && desc_attached(d))
			want++;
	}
	if (want != (uint32_t)nfds)
		goto refuse;              /* a library out of step with the message */
	if (kmsg_fds_held + (uint64_t)nfds > ipc_kmsg_fd_budget) {
		while (next < nfds)
			close(fds[next++]);
		return MACH_MSG_VM_KERNEL;
	}
	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		if (desc_has_region(d))
			ool_attach(d, desc_attached(d) ? fds[next++] : -1);
	}
	return MACH_MSG_SUCCESS;
refuse:
	while (next < nfds)
		close(fds[next++]);
	return MACH_SEND_INVALID_MEMORY;
}

/* --- header copyin: step 8 (spec 3.2-3.5) --------------------------------- */

static mach_msg_type_name_t
copyin_type(mach_msg_type_name_t msgt)
{
	switch (msgt) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MAKE_SEND:
		return MACH_MSG_TYPE_PORT_SEND;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	default:
		return 0;
	}
}

static bool
is_send_disposition(mach_msg_type_name_t t)
{
	return t >= MACH_MSG_TYPE_MOVE_SEND && t <= MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

/* Spec 3.2: checks that do not look at the name space, in XNU's order. */
static mach_msg_return_t
copyin_header_validate(mach_msg_bits_t bits, mach_port_name_t dest_name,
    mach_port_name_t reply_name, mach_port_name_t voucher_name)
{
	mach_msg_type_name_t dest_type = MACH_MSGH_BITS_REMOTE(bits);
	mach_msg_type_name_t reply_type = MACH_MSGH_BITS_LOCAL(bits);
	mach_msg_type_name_t voucher_type = MACH_MSGH_BITS_VOUCHER(bits);

	if (reply_type == 0 ? reply_name != MACH_PORT_NULL : !is_send_disposition(reply_type))
		return MACH_SEND_INVALID_HEADER;
	if (voucher_type != 0 && voucher_type != MACH_MSG_TYPE_MOVE_SEND &&
	    voucher_type != MACH_MSG_TYPE_COPY_SEND)
		return MACH_SEND_INVALID_VOUCHER;
	if (voucher_type != 0 && voucher_name == MACH_PORT_DEAD)
		return MACH_SEND_INVALID_VOUCHER;
	if (!is_send_disposition(dest_type))
		return MACH_SEND_INVALID_HEADER;
	if (!MACH_PORT_VALID(dest_name))
		return MACH_SEND_INVALID_DEST;
	if (voucher_type != 0 && dest_name == voucher_name &&
	    dest_type != MACH_MSG_TYPE_MOVE_SEND && dest_type != MACH_MSG_TYPE_COPY_SEND)
		return MACH_SEND_INVALID_DEST;
	if (dest_name == reply_name && (dest_type == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
	    reply_type == MACH_MSG_TYPE_MOVE_SEND_ONCE))
		return MACH_SEND_INVALID_DEST;
	if (voucher_type != 0 && MACH_PORT_VALID(reply_name) && reply_name == voucher_name)
		return MACH_SEND_INVALID_REPLY;
	return MACH_MSG_SUCCESS;
}

static bool
entry_has_port_right(ipc_entry_t entry)
{
	return entry != IE_NULL && (entry->ie_bits &
	    (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND_ONCE));
}

/* dest == reply, both send dispositions, not send-once (spec 3.5). */
static mach_msg_return_t
copyin_header_same_name(struct ipc_space *space, mach_port_name_t name,
    mach_msg_type_name_t dest_type, mach_msg_type_name_t reply_type,
    ipc_port_t *destp, ipc_port_t *replyp)
{
	ipc_entry_t entry = ipc_entry_lookup(space, name);
	kern_return_t kr;

	if (dest_type == MACH_MSG_TYPE_MOVE_SEND && reply_type == MACH_MSG_TYPE_MOVE_SEND) {
		if (ipc_right_check(space, name, entry) || !(entry->ie_bits & MACH_PORT_TYPE_SEND) ||
		    ie_bits_urefs(entry->ie_bits) < 2)
			return MACH_SEND_INVALID_DEST;
	}
	if (reply_type == MACH_MSG_TYPE_COPY_SEND && dest_type == MACH_MSG_TYPE_MOVE_SEND) {
		/* Copy first so that a single uref can cover both. */
		kr = ipc_right_copyin(space, name, entry, reply_type, 0, replyp);
		if (kr != KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
		kr = ipc_right_copyin(space, name, entry, dest_type, 0, destp);
		if (kr != KERN_SUCCESS) {
			ipc_port_release_send(*replyp);
			return MACH_SEND_INVALID_DEST;
		}
		return MACH_MSG_SUCCESS;
	}
	kr = ipc_right_copyin(space, name, entry, dest_type, IPC_COPYIN_ALLOW_DEAD_SONCE, destp);
	if (kr != KERN_SUCCESS)
		return MACH_SEND_INVALID_DEST;
	entry = ipc_entry_lookup(space, name);
	if (entry == IE_NULL ||
	    ipc_right_copyin(space, name, entry, reply_type, IPC_COPYIN_DEADOK, replyp) != KERN_SUCCESS) {
		/* Only reachable if the first copy-in used up what the
		 * second needed: the pair is refused as a whole. */
		ipc_object_destroy(*destp, copyin_type(dest_type));
		return MACH_SEND_INVALID_DEST;
	}
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t
ipc_kmsg_copyin_header(struct ipc_space *space, ipc_kmsg_t kmsg,
    mach_msg_header_t *hdr, uint64_t option)
{
	mach_msg_bits_t bits = hdr->msgh_bits & MACH_MSGH_BITS_USER;
	mach_port_name_t dest_name = hdr->msgh_remote_port;
	mach_port_name_t reply_name = hdr->msgh_local_port;
	mach_port_name_t voucher_name = hdr->msgh_voucher_port;
	mach_msg_type_name_t dest_type = MACH_MSGH_BITS_REMOTE(bits);
	mach_msg_type_name_t reply_type = MACH_MSGH_BITS_LOCAL(bits);
	mach_msg_type_name_t voucher_type = MACH_MSGH_BITS_VOUCHER(bits);
	ipc_entry_t dest_entry, reply_entry = IE_NULL;
	ipc_port_t dest = IP_NULL, reply = IP_NULL;
	mach_msg_return_t mr;
	kern_return_t kr;

	(void)option;
	mr = copyin_header_validate(bits, dest_name, reply_name, voucher_name);
	if (mr != MACH_MSG_SUCCESS)
		return mr;

	/* Spec 3.3: resolve names; nothing is consumed yet. */
	if (!space->is_active)
		return MACH_SEND_INVALID_DEST;
	if (voucher_type != 0 && voucher_name != MACH_PORT_NULL)
		return MACH_SEND_INVALID_VOUCHER;      /* machd has no voucher objects */
	dest_entry = ipc_entry_lookup(space, dest_name);
	if (!entry_has_port_right(dest_entry))
		return MACH_SEND_INVALID_DEST;
	if (MACH_PORT_VALID(reply_name)) {
		reply_entry = ipc_entry_lookup(space, reply_name);
		if (!entry_has_port_right(reply_entry) ||
		    !ipc_right_copyin_check_reply(space, reply_name, reply_entry, reply_type))
			return MACH_SEND_INVALID_REPLY;
	}

	/* Spec 3.4-3.5: take the rights, all or nothing. */
	if (dest_name == reply_name) {
		mr = copyin_header_same_name(space, dest_name, dest_type, reply_type, &dest, &reply);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	} else {
		kr = ipc_right_copyin(space, dest_name, dest_entry, dest_type,
		    IPC_COPYIN_ALLOW_DEAD_SONCE, &dest);
		if (kr != KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
		if (reply_entry != IE_NULL) {
			kr = ipc_right_copyin(space, reply_name, reply_entry, reply_type,
			    IPC_COPYIN_DEADOK, &reply);
			if (kr != KERN_SUCCESS) {
				ipc_object_destroy(dest, copyin_type(dest_type));
				return MACH_SEND_INVALID_REPLY;
			}
		} else if (reply_type != 0) {
			reply = reply_name == MACH_PORT_DEAD ? IP_DEAD : IP_NULL;
		}
	}

	kmsg->ikm_remote = dest;
	kmsg->ikm_local = reply;
	kmsg->ikm_bits |= MACH_MSGH_BITS(copyin_type(dest_type),
	    reply_type ? copyin_type(reply_type) : 0);
	/* Spec 3.6: with no voucher disposition the raw field rides along. */
	kmsg->ikm_voucher_raw = voucher_type == 0 ? voucher_name : MACH_PORT_NULL;
	return MACH_MSG_SUCCESS;
}

/* --- body copyin: step 10-11 (spec 4.3, 4.5) ------------------------------ */

/*
 * One right named in the body (a port descriptor or an element of an OOL
 * ports array), spec 4.3: NULL and DEAD pass through, anything else is
 * copied in with "dead OK" semantics; a receive right is checked for
 * circularity against the destination (4.5).
 */
static mach_msg_return_t
copyin_body_right(struct ipc_space *space, ipc_kmsg_t kmsg, mach_port_name_t name,
    mach_msg_type_name_t disp, ipc_port_t *portp)
{
	ipc_port_t port;

	if (!MACH_PORT_VALID(name)) {
		*portp = name == MACH_PORT_DEAD ? IP_DEAD : IP_NULL;
		return MACH_MSG_SUCCESS;
	}
	if (disp < MACH_MSG_TYPE_MOVE_RECEIVE || disp > MACH_MSG_TYPE_MAKE_SEND_ONCE)
		return MACH_SEND_INVALID_RIGHT;
	if (ipc_object_copyin(space, name, disp, IPC_COPYIN_DEADOK, &port) != KERN_SUCCESS)
		return MACH_SEND_INVALID_RIGHT;
	*portp = port;
	if (disp == MACH_MSG_TYPE_MOVE_RECEIVE && IP_VALID(kmsg->ikm_remote) &&
	    ipc_port_check_circularity(port, kmsg->ikm_remote))
		kmsg->ikm_circular = true;
	return MACH_MSG_SUCCESS;
}

static mach_msg_return_t
copyin_port_descriptor(struct ipc_space *space, ipc_kmsg_t kmsg, struct ipc_kmsg_desc *d)
{
	mach_msg_type_name_t disp = d->disposition;
	mach_msg_return_t mr = copyin_body_right(space, kmsg, d->name, disp, &d->port);

	/* An invalid disposition with a NULL/DEAD name travels as 0. */
	d->disposition = (uint8_t)copyin_type(disp);
	return mr;
}

/*
 * OOL memory (spec 4.3): the bytes are already frozen in the sealed memfd
 * the sender's library made (or, for a move, the sender's own pages), so
 * there is nothing left to copy; a region that could not be read or
 * passed reports its error here, in descriptor order.
 */
static mach_msg_return_t
copyin_ool_descriptor(struct ipc_kmsg_desc *d)
{
	if (d->size == 0 || d->memfd >= 0)
		return MACH_MSG_SUCCESS;
	return d->ool_error;
}

/*
 * OOL ports (spec 4.3): every name with the one disposition; on a failure
 * at element j, elements 0..j-1 are destroyed.  The names array was read
 * (and, with deallocate, is gone from the sender) before any right is taken.
 */
static mach_msg_return_t
copyin_ool_ports_descriptor(struct ipc_space *space, ipc_kmsg_t kmsg,
    struct ipc_kmsg_desc *d)
{
	mach_msg_type_name_t disp = d->disposition;
	mach_msg_return_t mr;
	uint32_t j;

	d->disposition = (uint8_t)copyin_type(disp);
	if (d->size == 0)
		return MACH_MSG_SUCCESS;
	if (d->names == NULL)
		return d->ool_error;
	d->ports = kalloc(KA_OOL, (size_t)d->size * sizeof(ipc_port_t));
	if (d->ports == NULL)
		return MACH_MSG_VM_KERNEL;
	for (j = 0; j < d->size; j++) {
		mr = copyin_body_right(space, kmsg, d->names[j], disp, &d->ports[j]);
		if (mr != MACH_MSG_SUCCESS) {
			ool_ports_destroy(d, j);
			return mr;
		}
	}
	kfree(KA_OOL, d->names);
	d->names = NULL;
	return MACH_MSG_SUCCESS;
}

/* Copy in descriptor `d`; *takenp: its memory counts as taken. */
static mach_msg_return_t
copyin_descriptor(struct ipc_space *space, ipc_kmsg_t kmsg, struct ipc_kmsg_desc *d,
    bool *takenp)
{
	mach_msg_return_t mr;

	switch (d->type) {
	case MACH_MSG_PORT_DESCRIPTOR:
		mr = copyin_port_descriptor(space, kmsg, d);
		*takenp = mr == MACH_MSG_SUCCESS;
		return mr;
	case MACH_MSG_OOL_PORTS_DESCRIPTOR:
		mr = copyin_ool_ports_descriptor(space, kmsg, d);
		/* The array was read, and deallocated, before the rights. */
		*takenp = mr == MACH_MSG_SUCCESS || mr == MACH_SEND_INVALID_RIGHT;
		return mr;
	default:
		mr = copyin_ool_descriptor(d);
		*takenp = mr == MACH_MSG_SUCCESS;
		return mr;
	}
}

mach_msg_return_t
ipc_kmsg_copyin_body(struct ipc_space *space, ipc_kmsg_t kmsg, uint32_t *takenp)
{
	uint32_t i, count = kmsg->ikm_dsc_count, taken = 0;
	mach_msg_return_t mr = MACH_MSG_SUCCESS;
	bool t = false;

	for (i = 0; i < count; i++) {
		mr = copyin_descriptor(space, kmsg, &kmsg->ikm_dsc[i], &t);
		if (mr != MACH_MSG_SUCCESS)
			break;
	}
	taken = i + (mr != MACH_MSG_SUCCESS && t);
	if (takenp != NULL)
		*takenp = taken;
	if (mr != MACH_MSG_SUCCESS) {
		/*
		 * Header rights and descriptors 0..i-1 are destroyed (spec
		 * 4.3); descriptor i and the rest hold no right yet, only
		 * memory, which goes with the kmsg.
		 */
		for (; i < count; i++) {
			struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
			if (d->type == MACH_MSG_PORT_DESCRIPTOR)
				d->port = IP_NULL;
			else if (d->type == MACH_MSG_OOL_PORTS_DESCRIPTOR && d->ports != NULL)
				ool_ports_destroy(d, 0);
		}
		ipc_kmsg_destroy(kmsg);
	}
	return mr;
}

/* --- copyout (spec 6.5-6.7) ------------------------------------------------ */

uint32_t
ipc_kmsg_trailer_size(uint64_t option)
{
	switch (GET_RCV_ELEMENTS(option)) {
	case MACH_RCV_TRAILER_NULL:   return (uint32_t)sizeof(mach_msg_trailer_t);
	case MACH_RCV_TRAILER_SEQNO:  return (uint32_t)sizeof(mach_msg_seqno_trailer_t);
	case MACH_RCV_TRAILER_SENDER: return (uint32_t)sizeof(mach_msg_security_trailer_t);
	case MACH_RCV_TRAILER_AUDIT:  return (uint32_t)sizeof(mach_msg_audit_trailer_t);
	case MACH_RCV_TRAILER_CTX:    return (uint32_t)sizeof(mach_msg_context_trailer_t);
	default:                      return (uint32_t)sizeof(mach_msg_max_trailer_t);
	}
}

void
ipc_kmsg_write_trailer(ipc_kmsg_t kmsg, uint64_t option, uint64_t context, uint8_t *out)
{
	mach_msg_max_trailer_t t;
	uint32_t size = ipc_kmsg_trailer_size(option);

	memset(&t, 0, sizeof(t));
	t.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	t.msgh_trailer_size = size;
	t.msgh_seqno = kmsg->ikm_seqno;
	t.msgh_sender = kmsg->ikm_sender;
	t.msgh_audit = kmsg->ikm_audit;
	t.msgh_context = context;
	memcpy(out, &t, size);
}

/* Consume the destination right; the receiver's name for the port. */
static mach_port_name_t
copyout_dest(struct ipc_space *space, ipc_kmsg_t kmsg)
{
	ipc_port_t dest = kmsg->ikm_remote;
	mach_msg_type_name_t type = MACH_MSGH_BITS_REMOTE(kmsg->ikm_bits);
	mach_port_name_t name;

	kmsg->ikm_remote = IP_NULL;
	if (!IP_VALID(dest))
		return MACH_PORT_NULL;
	if (!ip_active(dest))
		name = MACH_PORT_DEAD;
	else if (dest->ip_receiver == space)
		name = dest->ip_receiver_name;
	else
		name = MACH_PORT_NULL;
	if (type == MACH_MSG_TYPE_PORT_SEND_ONCE && name == MACH_PORT_NULL && ip_active(dest))
		ipc_notify_send_once_and_release(dest);
	else if (type == MACH_MSG_TYPE_PORT_SEND_ONCE)
		ipc_port_release_sonce(dest);
	else
		ipc_port_release_send(dest);
	return name;
}

static mach_msg_return_t
copyout_right(struct ipc_space *space, ipc_port_t port, mach_msg_type_name_t type,
    mach_port_name_t *namep)
{
	kern_return_t kr = ipc_object_copyout(space, port, type, namep);

	if (kr == KERN_SUCCESS)
		return MACH_MSG_SUCCESS;
	ipc_object_destroy(port, type);
	*namep = MACH_PORT_NULL;
	return kr == KERN_RESOURCE_SHORTAGE ? MACH_MSG_IPC_KERNEL : MACH_MSG_IPC_SPACE;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* The memfds of the message being copied out (single-threaded kernel). */
static int copyout_fds[IKM_COPYOUT_FDS_MAX];
static int copyout_nfds;

int
ipc_kmsg_take_copyout_fds(int *fds, int max)
{
	int n = copyout_nfds < max ? copyout_nfds : max, i;

	for (i = 0; i < n; i++)
		fds[i] = copyout_fds[i];
	for (; i < copyout_nfds; i++)
		close(copyout_fds[i]);
	copyout_nfds = 0;
	return n;
}

/*
 * An OOL descriptor for the receiver: the address is filled in by the
 * receiving task's libmach when it maps the memfd (the kernel cannot map
 * into another process), from the region's offset in the memfd that the
 * address field carries until then; received fields as spec 1.3 says.  No room to
 * pass the memory: address 0, size 0, MACH_MSG_VM_KERNEL.
 */
static mach_msg_return_t
copyout_ool(struct ipc_kmsg_desc *d, uint8_t *out)
{
	mach_msg_ool_descriptor_t u;
	mach_msg_return_t bits = 0;

	memset(&u, 0, sizeof(u));
	u.copy = d->copy;
	u.deallocate = d->copy == MACH_MSG_VIRTUAL_COPY;
	u.type = d->type;
	u.size = d->size;
	if (d->size > 0) {
		if (d->memfd >= 0 && copyout_nfds < IKM_COPYOUT_FDS_MAX) {
			copyout_fds[copyout_nfds++] = d->memfd;
			u.address = (void *)(uintptr_t)d->offset;   /* machd_proto.h */
			d->memfd = -1;
			kmsg_fds_held--;
		} else {
			kmsg_memfd_close(&d->memfd);
			u.size = 0;
			bits = MACH_MSG_VM_KERNEL;
		}
	}
	memcpy(out, &u, sizeof(u));
	return bits;
}

/*
 * An OOL ports descriptor (spec 6.6): each right is copied out (dead port:
 * MACH_PORT_DEAD; no room: MACH_PORT_NULL and the error bit) and the names
 * travel in a fresh sealed memfd that the receiver's library maps as the
 * "fresh region of 4 * count bytes".  Without a memfd every right of the
 * array is destroyed and the descriptor says address 0 (VM_KERNEL).
 */
static mach_msg_return_t
copyout_ool_ports(struct ipc_space *space, struct ipc_kmsg_desc *d, uint8_t *out)
{
	mach_msg_ool_ports_descriptor_t u;
	mach_msg_return_t bits = 0;
	mach_port_name_t *names = NULL;
	size_t len = (size_t)d->size * sizeof(mach_port_name_t);
	uint32_t j;
	int fd = -1;

	memset(&u, 0, sizeof(u));
	u.deallocate = 1;
	u.copy = MACH_MSG_VIRTUAL_COPY;
	u.disposition = d->disposition;
	u.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	u.count = d->size;
	if (d->size > 0) {
		if (copyout_nfds < IKM_COPYOUT_FDS_MAX)
			names = kalloc(KA_OOL, len);
		if (names == NULL) {
			ool_ports_destroy(d, d->size);
			u.count = 0;
			bits = MACH_MSG_VM_KERNEL;
			goto done;
		}
		for (j = 0; j < d->size; j++)
			bits |= copyout_right(space, d->ports[j], d->disposition, &names[j]);
		kfree(KA_OOL, d->ports);
		d->ports = NULL;
		fd = memfd_create_sealed(names, len);
		kfree(KA_OOL, names);
		if (fd < 0) {
			/* The rights are in the space now, under names nobody
			 * will learn: as XNU's failed region allocation after
			 * copyout, they stay there (spec 6.6). */
			u.count = 0;
			bits |= MACH_MSG_VM_KERNEL;
			goto done;
		}
		copyout_fds[copyout_nfds++] = fd;
	}
done:
	memcpy(out, &u, sizeof(u));
	return bits;
}

/* Descriptors into `out` (user form); returns the error bits. */
static mach_msg_return_t
copyout_body(struct ipc_space *space, ipc_kmsg_t kmsg, uint8_t *out, uint32_t *lenp)
{
	mach_msg_return_t bits = 0;
	uint32_t i, pos = 0;

	wr32(out, kmsg->ikm_dsc_count);
	pos += (uint32_t)sizeof(mach_msg_body_t);
	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		mach_msg_port_descriptor_t u;
		mach_port_name_t name;

		if (d->type == MACH_MSG_OOL_DESCRIPTOR || d->type == MACH_MSG_OOL_VOLATILE_DESCRIPTOR) {
			bits |= copyout_ool(d, out + pos);
			pos += IKM_USER_OTHER_DESC_SIZE;
			continue;
		}
		if (d->type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
			bits |= copyout_ool_ports(space, d, out + pos);
			pos += IKM_USER_OTHER_DESC_SIZE;
			continue;
		}
		memset(&u, 0, sizeof(u));
		bits |= copyout_right(space, d->port, d->disposition, &name);
		d->port = IP_NULL;
		u.name = name;
		u.disposition = d->disposition;
		u.type = MACH_MSG_PORT_DESCRIPTOR;
		memcpy(out + pos, &u, sizeof(u));
		pos += (uint32_t)sizeof(u);
	}
	*lenp = pos;
	return bits ? (MACH_RCV_BODY_ERROR | bits) : MACH_MSG_SUCCESS;
}

static void
write_header(uint8_t *buf, mach_msg_bits_t bits, uint32_t size, mach_port_name_t remote,
    mach_port_name_t local, mach_port_name_t voucher, mach_msg_id_t id)
{
	mach_msg_header_t h;

	h.msgh_bits = bits;
	h.msgh_size = size;
	h.msgh_remote_port = remote;
	h.msgh_local_port = local;
	h.msgh_voucher_port = voucher;
	h.msgh_id = id;
	memcpy(buf, &h, sizeof(h));
}

/*
 * The bare 24-byte header of spec 6.5 / 6.6: everything but the
 * destination name is destroyed; the reply right's type stays in the bits,
 * its name is the NULL/DEAD value sent or MACH_PORT_NULL; COMPLEX and the
 * raw voucher field are kept.
 */
static void
copyout_bare_header(struct ipc_space *space, ipc_kmsg_t kmsg, mach_port_name_t rname,
    uint8_t *buf)
{
	mach_msg_type_name_t dest_type = MACH_MSGH_BITS_REMOTE(kmsg->ikm_bits);
	mach_msg_type_name_t reply_type = MACH_MSGH_BITS_LOCAL(kmsg->ikm_bits);
	mach_port_name_t dname;

	dname = copyout_dest(space, kmsg);
	ipc_object_destroy(kmsg->ikm_local, reply_type);
	kmsg->ikm_local = IP_NULL;
	ipc_kmsg_clean_body(kmsg);
	write_header(buf, MACH_MSGH_BITS_SET(reply_type, dest_type, 0,
	    kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX), (uint32_t)sizeof(mach_msg_header_t),
	    rname, dname, kmsg->ikm_voucher_raw, kmsg->ikm_id);
}

mach_msg_return_t
ipc_kmsg_copyout(struct ipc_space *space, ipc_kmsg_t kmsg, uint64_t option,
    mach_port_name_t dest_name, bool pseudo, uint64_t rcv_addr, uint8_t *buf,
    uint32_t *lenp)
{
	mach_msg_type_name_t dest_type = MACH_MSGH_BITS_REMOTE(kmsg->ikm_bits);
	mach_msg_type_name_t reply_type = MACH_MSGH_BITS_LOCAL(kmsg->ikm_bits);
	mach_port_name_t reply_name = MACH_PORT_NULL, dname;
	mach_msg_return_t mr = MACH_MSG_SUCCESS, hmr;
	uint32_t size = ipc_kmsg_user_size(kmsg), pos, bodylen = 0;
	mach_msg_bits_t bits;

	(void)dest_name;
	(void)rcv_addr;
	/* Header first, all or nothing (spec 6.6). */
	hmr = copyout_right(space, kmsg->ikm_local, reply_type, &reply_name);
	kmsg->ikm_local = IP_NULL;
	if (hmr != MACH_MSG_SUCCESS && !pseudo) {
		/* Receiver cannot take the reply right: bare header (6.6). */
		copyout_bare_header(space, kmsg, MACH_PORT_NULL, buf);
		*lenp = (uint32_t)sizeof(mach_msg_header_t);
		ipc_kmsg_free(kmsg);
		return MACH_RCV_HEADER_ERROR | hmr;
	}
	if (pseudo) {
		/* Spec 6.7: the destination right goes back to the sender too. */
		ipc_port_t dest = kmsg->ikm_remote;
		kmsg->ikm_remote = IP_NULL;
		mr |= copyout_right(space, dest, dest_type, &dname);
		bits = MACH_MSGH_BITS_SET(dest_type, reply_type, 0,
		    kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX);
		write_header(buf, bits, size, dname, reply_name, kmsg->ikm_voucher_raw, kmsg->ikm_id);
		mr |= hmr;
	} else {
		dname = copyout_dest(space, kmsg);
		bits = MACH_MSGH_BITS_SET(reply_type, dest_type, 0,
		    kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX);
		write_header(buf, bits, size, reply_name, dname, kmsg->ikm_voucher_raw, kmsg->ikm_id);
	}
	pos = (uint32_t)sizeof(mach_msg_header_t);
	if (kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX) {
		mach_msg_return_t bmr = copyout_body(space, kmsg, buf + pos, &bodylen);
		if (bmr != MACH_MSG_SUCCESS)
			mr |= pseudo ? (bmr & ~MACH_RCV_BODY_ERROR) : bmr;
		pos += bodylen;
	}
	memcpy(buf + pos, kmsg->ikm_body, kmsg->ikm_body_size);
	pos += kmsg->ikm_body_size;
	*lenp = pos;
	ipc_kmsg_free(kmsg);
	return mr;
}

mach_msg_return_t
ipc_kmsg_copyout_too_large(struct ipc_space *space, ipc_kmsg_t kmsg, uint64_t option,
    uint64_t context, uint8_t *buf, uint32_t rcv_size, uint32_t *lenp)
{
	uint32_t tsize = ipc_kmsg_trailer_size(option);

	copyout_bare_header(space, kmsg, kmsg->ikm_local == IP_DEAD ? MACH_PORT_DEAD : MACH_PORT_NULL,
	    buf);
	*lenp = (uint32_t)sizeof(mach_msg_header_t);
	if (rcv_size >= sizeof(mach_msg_header_t) + tsize) {
		/* The trailer speaks for the kernel, not the sender (spec 6.5). */
		kmsg->ikm_sender = KERNEL_SECURITY_TOKEN_K;
		kmsg->ikm_audit = KERNEL_AUDIT_TOKEN_K;
		ipc_kmsg_write_trailer(kmsg, option, context, buf + sizeof(mach_msg_header_t));
		*lenp += tsize;
	}
	ipc_kmsg_free(kmsg);
	return MACH_RCV_TOO_LARGE;
}
