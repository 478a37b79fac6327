/* Demo code for unicorn_ports.c: x86-64 machine code that does port I/O in every form -
 * IN and OUT with an immediate port and with DX, INS and OUTS, each in 1, 2 and 4 bytes,
 * with and without REP, with DF clear and set, with 32-bit addressing (67) and a GS
 * override - and keeps a log of the registers after each step in its data page.
 *
 * Contract (what unicorn_ports gives it, and what tests/progs/io_blob.c gives it when the
 * same code runs natively under `iotrap run`):
 *   - RBX points to a zeroed 4 KiB data page below 4 GiB; the GS base is RBX + 0x800;
 *     every other register it reads starts at 0, and DF is clear;
 *   - the simulated board has byte latches ram@0xe0-0xef and ram@0x300-0x33f, and the
 *     sample plug-in's counter@0x240 (examples/device-plugin/counter.c: port 0x240 reads
 *     a value that advances by one on every read, 0x241 the step);
 *   - it uses no stack and ends with a RET as its last byte.
 * Data page: 0x000 a byte pattern, 0x100 what INS stored, 0x200 the log (RAX, RCX, RSI,
 * RDI per step, R8 points past the last entry), 0x810 GS's source, 0xf00 every latch's
 * final value.
 *
 * Build the flat code:  as -o unicorn_demo.o unicorn_demo.S
 *                       objcopy -O binary -j .text.unicorn_demo unicorn_demo.o demo.bin
 */
	.section .text.unicorn_demo, "ax"
	.globl	unicorn_demo, unicorn_demo_ret
	.code64

/* One log entry: RAX, RCX, RSI, RDI. */
.macro LOG
	mov	%rax, (%r8)
	mov	%rcx, 8(%r8)
	mov	%rsi, 16(%r8)
	mov	%rdi, 24(%r8)
	add	$32, %r8
.endm

unicorn_demo:
	lea	0x200(%rbx), %r8

	/* The pattern OUTS sends: byte i = 37 i + 11. */
	mov	%rbx, %rdi
	mov	$11, %eax
	mov	$256, %ecx
1:	mov	%al, (%rdi)
	add	$37, %al
	inc	%rdi
	dec	%ecx
	jnz	1b
	movl	$0x44332211, 0x810(%rbx)

	/* OUT and IN with an immediate port, 1, 2 and 4 bytes: IN AL and IN AX keep the rest
	 * of RAX, IN EAX clears its upper half. */
	mov	$0x1122334455667788, %rax
	out	%al, $0xe0
	out	%ax, $0xe2
	out	%eax, $0xe4
	LOG
	mov	$-1, %rax
	in	$0xe0, %al
	LOG
	in	$0xe2, %ax
	LOG
	in	$0xe4, %eax
	LOG

	/* The same through DX. */
	mov	$0x300, %edx
	mov	$0xa1b2c3d4, %eax
	out	%al, %dx
	add	$2, %edx
	out	%ax, %dx
	add	$2, %edx
	out	%eax, %dx
	mov	$-1, %rax
	in	%dx, %eax
	LOG
	sub	$2, %edx
	in	%dx, %ax
	LOG
	sub	$2, %edx
	in	%dx, %al
	LOG

	/* REP OUTS, DF clear: each latch keeps the last element. */
	lea	0x10(%rbx), %rsi
	mov	$5, %ecx
	mov	$0x308, %edx
	rep outsb
	LOG
	mov	$3, %ecx
	mov	$0x30a, %edx
	rep outsw
	LOG
	mov	$2, %ecx
	mov	$0x30c, %edx
	rep outsl
	LOG

	/* REP INS from the counter, DF clear: element by element in port order. */
	lea	0x100(%rbx), %rdi
	mov	$0x240, %edx
	mov	$7, %ecx
	rep insb
	LOG
	mov	$5, %ecx
	rep insw
	LOG
	mov	$3, %ecx
	rep insl
	LOG

	/* DF set: downwards. */
	std
	lea	0x1c0(%rbx), %rdi
	mov	$6, %ecx
	rep insb
	LOG
	mov	$4, %ecx
	rep insw
	LOG
	mov	$2, %ecx
	rep insl
	LOG
	lea	0x40(%rbx), %rsi
	mov	$0x310, %edx
	mov	$4, %ecx
	rep outsw
	LOG
	mov	$3, %ecx
	rep outsb
	LOG
	cld

	/* Without REP: one element each, RCX untouched. */
	lea	0x1d0(%rbx), %rdi
	lea	0x20(%rbx), %rsi
	mov	$0x240, %edx
	mov	$0x77, %ecx
	insb
	insw
	insl
	LOG
	mov	$0x314, %edx
	outsb
	outsw
	outsl
	LOG

	/* 32-bit addressing (67): EDI and ECX count, and writing them clears the upper
	 * halves of RDI and RCX. */
	mov	$0xdead000000000000, %rax
	lea	0x1e0(%rbx), %rdi
	or	%rax, %rdi
	mov	$0xbeef000000000004, %rcx
	mov	$0x240, %edx
	.byte	0x67, 0xf3, 0x6c	/* rep insb (%dx), %es:(%edi) */
	LOG

	/* A GS override on OUTS: the elements come from GS base + RSI. */
	mov	$0x10, %esi
	mov	$3, %ecx
	mov	$0x318, %edx
	.byte	0x65, 0xf3, 0x6e	/* rep outsb %gs:(%rsi), (%dx) */
	LOG

	/* REP with a zero count touches nothing. */
	xor	%ecx, %ecx
	mov	$0x31c, %edx
	rep outsb
	rep insb
	LOG

	/* Every latch's final value, one INSB each. */
	lea	0xf00(%rbx), %rdi
	mov	$0xe0, %edx
2:	insb
	inc	%edx
	cmp	$0xf0, %edx
	jb	2b
	mov	$0x300, %edx
3:	insb
	inc	%edx
	cmp	$0x340, %edx
	jb	3b
unicorn_demo_ret:
	ret
	.section .note.GNU-stack, "", @progbits
