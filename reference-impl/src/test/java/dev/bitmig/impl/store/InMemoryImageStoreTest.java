package dev.bitmig.impl.store;

class InMemoryImageStoreTest extends ImageStoreContract {

    @Override
    ImageStore store() {
        return new InMemoryImageStore(CLUSTERS, SOURCE_ACTIVE);
    }
}
