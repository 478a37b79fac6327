/* iotrap__safe_copy(dst, src, n, si_code): a byte copy that may fault.
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
 */
#if defined(__x86_64__)
	.text
	.globl	iotrap__safe_copy
	.hidden	iotrap__safe_copy
	.globl	iotrap__safe_copy_load, iotrap__safe_copy_store, iotrap__safe_copy_fault
	.hidden	iotrap__safe_copy_load, iotrap__safe_copy_store, iotrap__safe_copy_fault
	.type	iotrap__safe_copy, @function
	/* rdi = dst, rsi = src, rdx = n, rcx = si_code pointer (may be NULL) */
iotrap__safe_copy:
	.cfi_startproc
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
	.cfi_endproc
	.size	iotrap__safe_copy, .-iotrap__safe_copy

#elif defined(__i386__)
	.text
	.globl	iotrap__safe_copy
	.hidden	iotrap__safe_copy
	.globl	iotrap__safe_copy_load, iotrap__safe_copy_store, iotrap__safe_copy_fault
	.hidden	iotrap__safe_copy_load, iotrap__safe_copy_store, iotrap__safe_copy_fault
	.type	iotrap__safe_copy, @function
	/* cdecl: 4(%esp) dst, 8 src, 12 n, 16 si_code pointer; esi/edi are callee-saved */
iotrap__safe_copy:
	.cfi_startproc
	pushl	%esi
	.cfi_adjust_cfa_offset 4
	pushl	%edi
	.cfi_adjust_cfa_offset 4
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
3:	popl	%edi
	.cfi_adjust_cfa_offset -4
	popl	%esi
	.cfi_adjust_cfa_offset -4
	ret
	.cfi_endproc
	.size	iotrap__safe_copy, .-iotrap__safe_copy
#else
#error "iotrap builds only for x86-64 and i386"
#endif
	.section .note.GNU-stack,"",@progbits
