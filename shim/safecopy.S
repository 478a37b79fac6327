/* Copies and probes of memory that may fault, for the SIGSEGV handler.
 *
 * iotrap__safe_copy(dst, src, n, si_code): a byte copy that may fault.
 *
 * The trap path reads the program's code bytes with this instead of a system call
 * (process_vm_readv costs about a third of a whole trap).  The loads and stores are at
 * known addresses: when the SIGSEGV handler (installed with SA_NODEFER, so a fault inside
 * it is delivered) sees the program counter at one of them, iotrap__fixup() moves it to
 * the fault label with the fault's si_code in a scratch register.  A byte loop, not
 * REP MOVSB, because fast-string microcode may report a fault at a chunk boundary
 * before the bad byte, and the copies here are at most a few bytes long.
 *
 * Returns the number of bytes copied before the first fault.
 *
 * iotrap__safe_bulk(dst, src, n): the strings of REP INS and OUTS, of any length.  It
 * returns the bytes copied before a fault, which may be fewer than the good bytes (the
 * fault of fast-string microcode may come at a chunk boundary before the bad byte), so
 * the caller goes on with iotrap__safe_copy from there to find the exact byte.
 *
 * iotrap__safe_probe_store(p): 1 if a store to the byte at p succeeds, else 0; the
 * byte keeps its value.
 */
/* The start and end of each function: it and its labels that iotrap__fixup() knows
 * (the instructions that may fault and where they resume) are hidden symbols. */
	.macro	fn_begin name, labels:vararg
	.globl	\name
	.hidden	\name
	.ifnb	\labels
	.globl	\labels
	.hidden	\labels
	.endif
	.type	\name, @function
\name:
	.cfi_startproc
	.endm

	.macro	fn_end name
	.cfi_endproc
	.size	\name, .-\name
	.endm

#if defined(__x86_64__)
	.text
	/* rdi = dst, rsi = src, rdx = n, rcx = si_code pointer (may be NULL) */
	fn_begin iotrap__safe_copy, iotrap__safe_copy_load, iotrap__safe_copy_store, \
		iotrap__safe_copy_fault
	xorl	%eax, %eax
1:	cmpq	%rdx, %rax
	jae	3f
iotrap__safe_copy_load:
	movzbl	(%rsi,%rax), %r9d
iotrap__safe_copy_store:
	movb	%r9b, (%rdi,%rax)
	incq	%rax
	jmp	1b
iotrap__safe_copy_fault:
	/* iotrap__fixup left the si_code in r8d; rax still counts the bytes done. */
	testq	%rcx, %rcx
	jz	3f
	movl	%r8d, (%rcx)
3:	ret
	fn_end	iotrap__safe_copy

	/* iotrap__safe_bulk(dst, src, n): rdi = dst, rsi = src, rdx = n.  One REP MOVSB
	 * (fast-string microcode for strings of any length); a fault stops it with RCX
	 * counting the bytes left, and iotrap__fixup() resumes at the label after it. */
	fn_begin iotrap__safe_bulk, iotrap__safe_bulk_insn, iotrap__safe_bulk_fault
	movq	%rdx, %rcx
iotrap__safe_bulk_insn:
	rep movsb
iotrap__safe_bulk_fault:
	movq	%rdx, %rax
	subq	%rcx, %rax
	ret
	fn_end	iotrap__safe_bulk

	/* iotrap__safe_probe_store(p): rdi = p.  A locked OR of zero is a store that
	 * changes nothing, even under a concurrent store of another thread. */
	fn_begin iotrap__safe_probe_store, iotrap__safe_probe_insn, iotrap__safe_probe_fault
	movl	$1, %eax
iotrap__safe_probe_insn:
	lock orb $0, (%rdi)
	ret
iotrap__safe_probe_fault:
	xorl	%eax, %eax
	ret
	fn_end	iotrap__safe_probe_store

#elif defined(__i386__)
	.text
	/* esi and edi are callee-saved: the copies use them, pushed and popped around. */
	.macro	save_esi_edi
	pushl	%esi
	.cfi_adjust_cfa_offset 4
	pushl	%edi
	.cfi_adjust_cfa_offset 4
	.endm
	.macro	restore_esi_edi
	popl	%edi
	.cfi_adjust_cfa_offset -4
	popl	%esi
	.cfi_adjust_cfa_offset -4
	.endm

	/* cdecl: 4(%esp) dst, 8 src, 12 n, 16 si_code pointer; esi/edi are callee-saved */
	fn_begin iotrap__safe_copy, iotrap__safe_copy_load, iotrap__safe_copy_store, \
		iotrap__safe_copy_fault
	save_esi_edi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %edx
	xorl	%eax, %eax
1:	cmpl	%edx, %eax
	jae	3f
iotrap__safe_copy_load:
	movzbl	(%esi,%eax), %ecx
iotrap__safe_copy_store:
	movb	%cl, (%edi,%eax)
	incl	%eax
	jmp	1b
iotrap__safe_copy_fault:
	/* iotrap__fixup left the si_code in ecx; eax still counts the bytes done. */
	movl	24(%esp), %edx
	testl	%edx, %edx
	jz	3f
	movl	%ecx, (%edx)
3:	restore_esi_edi
	ret
	fn_end	iotrap__safe_copy

	/* iotrap__safe_bulk(dst, src, n), cdecl; as the x86-64 one. */
	fn_begin iotrap__safe_bulk, iotrap__safe_bulk_insn, iotrap__safe_bulk_fault
	save_esi_edi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %ecx
iotrap__safe_bulk_insn:
	rep movsb
iotrap__safe_bulk_fault:
	movl	20(%esp), %eax
	subl	%ecx, %eax
	restore_esi_edi
	ret
	fn_end	iotrap__safe_bulk

	/* iotrap__safe_probe_store(p), cdecl; as the x86-64 one. */
	fn_begin iotrap__safe_probe_store, iotrap__safe_probe_insn, iotrap__safe_probe_fault
	movl	4(%esp), %edx
	movl	$1, %eax
iotrap__safe_probe_insn:
	lock orb $0, (%edx)
	ret
iotrap__safe_probe_fault:
	xorl	%eax, %eax
	ret
	fn_end	iotrap__safe_probe_store
#else
#error "iotrap builds only for x86-64 and i386"
#endif
	.section .note.GNU-stack,"",@progbits
