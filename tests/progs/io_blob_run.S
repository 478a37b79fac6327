/* io_blob.c's way into examples/unicorn_demo.S: void io_blob_run(uint64_t regs[7]) loads
 * RAX, RBX, RCX, RDX, RSI, RDI and R8 from regs, calls the demo code, and stores them back.
 * The demo uses no stack and leaves R12 alone, which holds regs meanwhile. */
#if defined(__x86_64__)
	.text
	.globl	io_blob_run
io_blob_run:
	push	%rbx
	push	%r12
	push	%r13
	mov	%rdi, %r12
	mov	(%r12), %rax
	mov	8(%r12), %rbx
	mov	16(%r12), %rcx
	mov	24(%r12), %rdx
	mov	32(%r12), %rsi
	mov	40(%r12), %rdi
	mov	48(%r12), %r8
	call	unicorn_demo
	mov	%rax, (%r12)
	mov	%rbx, 8(%r12)
	mov	%rcx, 16(%r12)
	mov	%rdx, 24(%r12)
	mov	%rsi, 32(%r12)
	mov	%rdi, 40(%r12)
	mov	%r8, 48(%r12)
	pop	%r13
	pop	%r12
	pop	%rbx
	ret
#endif
	.section .note.GNU-stack, "", @progbits
