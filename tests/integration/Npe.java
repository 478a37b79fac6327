// A JVM installs its own SIGSEGV handler and takes SIGSEGV for implicit null checks,
// stack banging and safepoints: under iotrap run every one of those must reach it.
public class Npe {
    static int first(int[] a) {
        return a[0];
    }

    public static void main(String[] args) {
        int caught = 0;
        for (int i = 0; i < 200000; i++) {
            try {
                first((i % 2 == 0) ? null : new int[] {i});
            } catch (NullPointerException e) {
                caught++;
            }
        }
        System.out.println("caught " + caught);
    }
}
