/* 32-bit code run inside a 64-bit process (CS 0x23), for io_compat.c.  The blob is
 * position-independent: the test copies it below 4 GiB and calls it as
 *     void enter(uint64_t low_stack_top, uint64_t args)
 * It switches to the low stack, far-returns into 32-bit code that does port I/O on the
 * args (see struct compat_args in io_compat.c), and far-returns back to 64-bit code. */
#if defined(__x86_64__)
	.text
	.globl	compat_blob, compat_blob_end
compat_blob:
	.code64
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, saved_rsp(%rip)
	mov	%rdi, %r12
	mov	%rsi, %r13
	/* The 64-bit FS base (glibc's thread pointer), restored on the way back. */
	mov	$158, %eax		/* arch_prctl(ARCH_GET_FS, &saved_fs) */
	mov	$0x1003, %edi
	lea	saved_fs(%rip), %rsi
	syscall
	mov	%r12, %rsp
	mov	%r13d, %ebx
	mov	%ss, %eax		/* 0x2b: compat code needs a usable DS and ES */
	mov	%eax, %ds
	mov	%eax, %es
	pushq	$0x23
	lea	code32(%rip), %rax
	pushq	%rax
	lretq
	.code32
code32:
	movl	28(%ebx), %ecx		/* fs_sel: a segment for FS, as Wine's 32-bit TEB */
	testl	%ecx, %ecx
	jz	1f
	movw	%cx, %fs
1:	movl	0(%ebx), %edx		/* port */
	movl	4(%ebx), %eax		/* value */
	outl	%eax, %dx
	movl	$0x11223344, %eax
	inb	%dx, %al
	movl	%eax, 8(%ebx)		/* in_al */
	movl	12(%ebx), %esi		/* src */
	movl	$3, %ecx
	rep outsb
	movl	%esi, 16(%ebx)		/* esi_after */
	movl	%ecx, 20(%ebx)		/* ecx_after */
	movl	$0x55667788, %eax
	inw	%dx, %ax
	movl	%eax, 24(%ebx)		/* in_ax */
	movl	%fs, %eax
	movl	%eax, 32(%ebx)		/* fs_sel_after */
	call	1f
1:	popl	%eax
	addl	$(back64 - 1b), %eax
	pushl	$0x33
	pushl	%eax
	lretl
	.code64
back64:
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %fs
	mov	$158, %eax		/* arch_prctl(ARCH_SET_FS, saved_fs) */
	mov	$0x1002, %edi
	mov	saved_fs(%rip), %rsi
	syscall
	mov	saved_rsp(%rip), %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.balign	8
saved_rsp:
	.quad	0
saved_fs:
	.quad	0
compat_blob_end:
#endif
	.section .note.GNU-stack,"",@progbits
